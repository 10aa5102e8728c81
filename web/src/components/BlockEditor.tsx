import { useMemo, useState, type FormEvent } from "react";
import { Button, Checkbox, Label, Modal, ModalBody, ModalFooter, ModalHeader, Select, TextInput } from "flowbite-react";
import { api, type BlockInput } from "../lib/api";
import type { Block, Feed } from "../lib/types";
import { BLOCK_TYPES, blockFeedKeys, blockType, defaultBlockName, propBool, validateBlock, withDefaults, type PropSpec } from "../lib/blocks";
import { parseRules } from "../lib/conditions";

const NEW_FEED = "__new__";

function PropField({ spec, value, feeds, onChange }: { spec: PropSpec; value: string; feeds: Feed[]; onChange: (v: string) => void }) {
  const id = `bp-${spec.key}`;
  let input;
  switch (spec.kind) {
    case "bool":
      return (
        <div className="flex items-center gap-2">
          <Checkbox id={id} checked={propBool({ [spec.key]: value }, spec.key, false)} onChange={(e) => onChange(e.target.checked ? "yes" : "no")} />
          <Label htmlFor={id}>{spec.label}</Label>
        </div>
      );
    case "select":
      input = (
        <Select id={id} sizing="sm" value={value} onChange={(e) => onChange(e.target.value)}>
          {spec.options!.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </Select>
      );
      break;
    case "feed":
      input = (
        <Select id={id} sizing="sm" value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">(the block's own feed)</option>
          {feeds.map((f) => <option key={f.key} value={f.key}>{f.name || f.key}</option>)}
          {value && !feeds.some((f) => f.key === value) && <option value={value}>{value}</option>}
        </Select>
      );
      break;
    case "color":
      input = (
        <div className="flex items-center gap-2">
          <input type="color" aria-label={spec.label} value={/^#[0-9a-f]{6}$/i.test(value) ? value : "#0891b2"} onChange={(e) => onChange(e.target.value)}
            className="h-9 w-12 cursor-pointer rounded border border-gray-300 bg-transparent dark:border-gray-600" />
          <TextInput id={id} sizing="sm" value={value} onChange={(e) => onChange(e.target.value)} className="flex-1" />
        </div>
      );
      break;
    case "rules": {
      const { rules, bad } = parseRules(value);
      input = (
        <>
          <TextInput id={id} sizing="sm" value={value} placeholder={spec.placeholder} onChange={(e) => onChange(e.target.value)} />
          <div className="mt-1 text-xs text-gray-500">
            {bad.length ? <span className="text-red-600">Cannot read part {bad.join(", ")}.</span> : `${rules.length} condition${rules.length === 1 ? "" : "s"}`}
          </div>
        </>
      );
      break;
    }
    default:
      input = <TextInput id={id} sizing="sm" type={spec.kind === "number" ? "number" : "text"} step="any" value={value}
        placeholder={spec.placeholder} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div>
      <Label htmlFor={id} className="mb-1 block">{spec.label}</Label>
      {input}
      {spec.help && <p className="mt-1 text-xs text-gray-500 dark:text-gray-400">{spec.help}</p>}
    </div>
  );
}

/** Add or edit a dashboard block: type, name, feeds and the type's properties. */
export function BlockEditor({ owner, dashKey, feeds, block, open, onClose, onSaved, onFeedCreated }: {
  owner: string;
  dashKey: string;
  feeds: Feed[];
  block: Block | null;
  open: boolean;
  onClose: () => void;
  onSaved: (b: Block, isNew: boolean) => void;
  onFeedCreated: (f: Feed) => void;
}) {
  const [type, setType] = useState<string>(block?.visual_type ?? "");
  const [name, setName] = useState(block?.name ?? "");
  const [keys, setKeys] = useState<string[]>(block ? blockFeedKeys(block) : []);
  const [props, setProps] = useState<Record<string, string>>(block ? withDefaults(block.visual_type, block.properties) : {});
  const [newFeed, setNewFeed] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const t = blockType(type);
  const sorted = useMemo(() => [...feeds].sort((a, b) => (a.name || a.key).localeCompare(b.name || b.key)), [feeds]);

  const pickType = (ty: string) => {
    setType(ty);
    setProps(withDefaults(ty, {}));
    if (blockType(ty)?.feeds === "one") setKeys((k) => k.slice(0, 1));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!t) return;
    setBusy(true);
    setErr(null);
    try {
      let ks = keys.filter((k) => k !== NEW_FEED);
      if (keys.includes(NEW_FEED)) {
        if (!newFeed.trim()) throw new Error("Name the new feed.");
        const f = await api.createFeed(owner, { name: newFeed.trim() });
        onFeedCreated(f);
        ks = [...ks, f.key];
        setKeys(ks);
      }
      const chosen = ks.map((k) => feeds.find((f) => f.key === k) ?? { key: k, name: k });
      const finalName = name.trim() || defaultBlockName(type, chosen);
      const msg = validateBlock(type, finalName, ks, props);
      if (msg) throw new Error(msg);
      const body: BlockInput = {
        name: finalName,
        visual_type: type,
        properties: props,
        block_feeds: ks.map((k) => ({ feed_id: k })),
        size_x: block?.size_x ?? t.w,
        size_y: block?.size_y ?? t.h,
        ...(block ? { column: block.column, row: block.row } : {}),
      };
      const saved = block
        ? await api.updateBlock(owner, dashKey, block.id, body)
        : await api.createBlock(owner, dashKey, body);
      // Fill in what a minimal server answer may leave out.
      const full: Block = {
        ...saved,
        name: saved.name ?? finalName,
        visual_type: saved.visual_type ?? type,
        properties: saved.properties ?? props,
        block_feeds: saved.block_feeds?.length ? saved.block_feeds : chosen.map((f) => ({ feed: { key: f.key, name: f.name } })),
        size_x: saved.size_x ?? body.size_x!,
        size_y: saved.size_y ?? body.size_y!,
        column: saved.column ?? 0,
        row: saved.row ?? 0,
      };
      onSaved(full, !block);
      onClose();
    } catch (e2) {
      setErr((e2 as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal show={open} onClose={onClose} size="2xl" dismissible>
      <form onSubmit={submit}>
        <ModalHeader>{block ? `Edit block` : t ? `New ${t.label.toLowerCase()}` : "Add a block"}</ModalHeader>
        <ModalBody className="max-h-[70vh] space-y-4 overflow-y-auto">
          {!block && (
            <div className="grid grid-cols-2 gap-2 sm:grid-cols-3" role="radiogroup" aria-label="Block type">
              {BLOCK_TYPES.map((b) => (
                <button key={b.type} type="button" role="radio" aria-checked={type === b.type} onClick={() => pickType(b.type)}
                  data-testid={`block-type-${b.type}`}
                  className={`rounded-lg border p-2 text-left text-sm transition ${type === b.type
                    ? "border-cyan-600 bg-cyan-50 ring-2 ring-cyan-600 dark:bg-cyan-900/30"
                    : "border-gray-200 hover:bg-gray-50 dark:border-gray-700 dark:hover:bg-gray-700"}`}>
                  <div className="font-semibold">{b.label}{b.sends && <span className="ml-1 text-xs font-normal text-cyan-700 dark:text-cyan-400">sends</span>}</div>
                  <div className="text-xs text-gray-500 dark:text-gray-400">{b.description}</div>
                </button>
              ))}
            </div>
          )}
          {t && (
            <>
              <div>
                <Label htmlFor="blk-name" className="mb-1 block">Title</Label>
                <TextInput id="blk-name" sizing="sm" value={name} maxLength={128} placeholder="the feed's name" onChange={(e) => setName(e.target.value)} />
              </div>
              <div>
                <Label className="mb-1 block">{t.feeds === "one" ? "Feed" : "Feeds"}</Label>
                {t.feeds === "one" ? (
                  <Select sizing="sm" value={keys[0] ?? ""} onChange={(e) => setKeys(e.target.value ? [e.target.value] : [])} data-testid="block-feed">
                    <option value="">Choose a feed…</option>
                    {sorted.map((f) => <option key={f.key} value={f.key}>{f.name || f.key}</option>)}
                    <option value={NEW_FEED}>+ New feed…</option>
                  </Select>
                ) : (
                  <div className="max-h-40 space-y-1 overflow-y-auto rounded border border-gray-200 p-2 dark:border-gray-700">
                    {sorted.map((f) => (
                      <label key={f.key} className="flex items-center gap-2 text-sm">
                        <Checkbox checked={keys.includes(f.key)} onChange={(e) => setKeys((ks) => e.target.checked ? [...ks, f.key] : ks.filter((k) => k !== f.key))} />
                        <span>{f.name || f.key}</span><span className="font-mono text-xs text-gray-500">{f.key}</span>
                      </label>
                    ))}
                    {sorted.length === 0 && <p className="text-sm text-gray-500">No feeds yet.</p>}
                  </div>
                )}
                {keys.includes(NEW_FEED) && (
                  <TextInput sizing="sm" className="mt-2" placeholder="New feed name, e.g. led" value={newFeed} onChange={(e) => setNewFeed(e.target.value)} />
                )}
                {t.sends && <p className="mt-1 text-xs text-gray-500 dark:text-gray-400">The block publishes to this feed's topic, where your board listens.</p>}
              </div>
              <div className="grid gap-4 sm:grid-cols-2">
                {t.props.map((spec) => (
                  <PropField key={spec.key} spec={spec} value={props[spec.key] ?? ""} feeds={sorted}
                    onChange={(v) => setProps((ps) => ({ ...ps, [spec.key]: v }))} />
                ))}
              </div>
            </>
          )}
          {err && <p className="text-sm text-red-600 dark:text-red-400" role="alert">{err}</p>}
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={!t || busy} data-testid="block-save">{block ? "Save" : "Add block"}</Button>
          <Button color="alternative" onClick={onClose}>Cancel</Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}
