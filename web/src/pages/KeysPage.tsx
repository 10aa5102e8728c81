import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import {
  Alert, Badge, Button, Modal, ModalBody, ModalFooter, ModalHeader, Table, TableBody, TableCell, TableHead, TableHeadCell, TableRow, TextInput,
} from "flowbite-react";
import { api } from "../lib/api";
import type { ApiKey } from "../lib/types";
import { formatDateTime, timeAgo } from "../lib/time";
import { ConfirmModal, CopyButton, ErrorAlert, Loading, PageHeader } from "../components/ui";
import { useAsync } from "../state/useAsync";
import { useUser } from "../state/session";

export default function KeysPage() {
  const user = useUser();
  const keys = useAsync(() => api.keys(), []);
  const [label, setLabel] = useState("");
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const l = label.trim();
    if (!l) { setErr("Name the key after the board that will use it, e.g. “lab bench Photon2”."); return; }
    if (l.length > 100) { setErr("At most 100 characters."); return; }
    setBusy(true);
    setErr(null);
    try {
      const k = await api.createKey(l);
      setCreated(k);
      setLabel("");
      keys.reload();
    } catch (e2) {
      setErr((e2 as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const list = [...(keys.data ?? [])].sort((a, b) => (a.revoked_at ? 1 : 0) - (b.revoked_at ? 1 : 0) || b.created_at.localeCompare(a.created_at));

  return (
    <>
      <PageHeader title="MQTT keys"
        subtitle={<>A board connects with user name <code className="font-mono">{user.username}</code> and one of these keys as its password. Give each board its own key, so you can revoke one without touching the others.</>} />
      <form onSubmit={create} className="mb-6 flex max-w-xl flex-col gap-2 sm:flex-row">
        <TextInput className="flex-1" placeholder="Label, e.g. lab bench Photon2" value={label} onChange={(e) => setLabel(e.target.value)}
          aria-label="Key label" data-testid="key-label" maxLength={100} />
        <Button type="submit" disabled={busy} data-testid="create-key">Create key</Button>
      </form>
      {err && <p className="mb-4 text-sm text-red-600 dark:text-red-400">{err}</p>}
      {keys.error && <ErrorAlert error={keys.error} onRetry={keys.reload} />}
      {keys.loading && !keys.data ? <Loading /> : (
        <div className="overflow-x-auto rounded-lg border border-gray-200 shadow-sm dark:border-gray-700">
          <Table>
            <TableHead>
              <TableRow>
                <TableHeadCell>Label</TableHeadCell>
                <TableHeadCell className="hidden sm:table-cell">Key</TableHeadCell>
                <TableHeadCell className="hidden md:table-cell">Created</TableHeadCell>
                <TableHeadCell>Last used</TableHeadCell>
                <TableHeadCell><span className="sr-only">Actions</span></TableHeadCell>
              </TableRow>
            </TableHead>
            <TableBody className="divide-y divide-gray-200 dark:divide-gray-700" data-testid="keys-table">
              {list.map((k) => (
                <TableRow key={String(k.id)} className={k.revoked_at ? "opacity-60" : ""}>
                  <TableCell className="font-medium text-gray-900 dark:text-white">
                    <span className="break-all">{k.label}</span> {k.revoked_at && <Badge color="gray" className="ml-1 inline-flex">revoked</Badge>}
                  </TableCell>
                  <TableCell className="hidden font-mono text-xs sm:table-cell">{k.shown ? `${k.shown}…` : "••••"}</TableCell>
                  <TableCell className="hidden whitespace-nowrap md:table-cell">{formatDateTime(k.created_at)}</TableCell>
                  <TableCell className="whitespace-nowrap" title={k.last_used_at ? formatDateTime(k.last_used_at) : ""}>{k.last_used_at ? timeAgo(k.last_used_at) : "never"}</TableCell>
                  <TableCell className="text-right">
                    {!k.revoked_at && <Button size="xs" color="light" className="text-red-600" onClick={() => setRevoking(k)}>Revoke</Button>}
                  </TableCell>
                </TableRow>
              ))}
              {list.length === 0 && <TableRow><TableCell colSpan={5} className="text-center text-gray-500">No keys yet. Create one for your first board.</TableCell></TableRow>}
            </TableBody>
          </Table>
        </div>
      )}
      <Modal show={!!created} size="lg" onClose={() => setCreated(null)}>
        <ModalHeader>Your new key</ModalHeader>
        <ModalBody className="space-y-4">
          <Alert color="warning">Copy it now: perch stores only a hash and cannot show this key again.</Alert>
          <div className="flex flex-col gap-2 sm:flex-row">
            <TextInput readOnly value={created?.key ?? ""} className="flex-1 font-mono" onFocus={(e) => e.target.select()} data-testid="new-key" aria-label="New key" />
            <CopyButton text={created?.key ?? ""} />
          </div>
          <p className="text-sm text-gray-600 dark:text-gray-300">
            Use it as the MQTT password with user name <code className="font-mono">{user.username}</code>.{" "}
            <Link to="/connect" className="text-cyan-700 underline dark:text-cyan-400" onClick={() => setCreated(null)}>Get code for your board</Link>.
          </p>
        </ModalBody>
        <ModalFooter><Button onClick={() => setCreated(null)}>I have copied it</Button></ModalFooter>
      </Modal>
      <ConfirmModal open={!!revoking} title="Revoke this key?" confirmLabel="Revoke key" onClose={() => setRevoking(null)}
        onConfirm={async () => { if (revoking) { await api.revokeKey(revoking.id); keys.reload(); } }}>
        <p>Boards using <strong>{revoking?.label}</strong> are disconnected within a second and cannot connect with it again.</p>
      </ConfirmModal>
    </>
  );
}
