import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { Badge, Button, Card, Label, Modal, ModalBody, ModalFooter, ModalHeader, TextInput, Textarea } from "flowbite-react";
import { api } from "../lib/api";
import type { Dashboard } from "../lib/types";
import { timeAgo } from "../lib/time";
import { ConfirmModal, Empty, ErrorAlert, Loading, PageHeader } from "../components/ui";
import { useAsync } from "../state/useAsync";
import { useOwner } from "../state/owner";

function DashboardForm({ owner, dash, onClose, onSaved }: {
  owner: string; dash: Dashboard | null; onClose: () => void; onSaved: (d: Dashboard) => void;
}) {
  const [name, setName] = useState(dash?.name ?? "");
  const [description, setDescription] = useState(dash?.description ?? "");
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) { setErr("Give the dashboard a name."); return; }
    setBusy(true);
    setErr(null);
    try {
      const body = { name: name.trim(), description: description.trim() };
      const d = dash ? await api.updateDashboard(owner, dash.key, body) : await api.createDashboard(owner, body);
      onSaved({ ...(dash ?? {}), ...d, name: d?.name ?? body.name } as Dashboard);
      onClose();
    } catch (e2) {
      setErr((e2 as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal show onClose={onClose} size="md" dismissible>
      <form onSubmit={submit}>
        <ModalHeader>{dash ? "Rename dashboard" : "New dashboard"}</ModalHeader>
        <ModalBody className="space-y-4">
          <div>
            <Label htmlFor="d-name" className="mb-1 block">Name</Label>
            <TextInput id="d-name" value={name} maxLength={128} onChange={(e) => setName(e.target.value)} autoFocus data-testid="dashboard-name" />
          </div>
          <div>
            <Label htmlFor="d-desc" className="mb-1 block">Description</Label>
            <Textarea id="d-desc" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          {err && <p className="text-sm text-red-600 dark:text-red-400">{err}</p>}
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={busy} data-testid="dashboard-save">{dash ? "Save" : "Create"}</Button>
          <Button color="alternative" onClick={onClose}>Cancel</Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}

export default function DashboardsPage() {
  const { owner, readOnly, base } = useOwner();
  const nav = useNavigate();
  const list = useAsync(() => api.dashboards(owner), [owner]);
  const [form, setForm] = useState<{ dash: Dashboard | null } | null>(null);
  const [deleting, setDeleting] = useState<Dashboard | null>(null);
  const items = [...(list.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader
        title={readOnly ? <>Dashboards of <span className="font-mono">{owner}</span></> : "Dashboards"}
        subtitle={readOnly ? <Badge color="gray" className="inline-flex">read-only</Badge> : "Charts, gauges and controls that talk to your boards."}
        actions={!readOnly && <Button size="sm" onClick={() => setForm({ dash: null })} data-testid="new-dashboard">New dashboard</Button>}
      />
      {list.error && <ErrorAlert error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data ? <Loading /> : list.data && items.length === 0 ? (
        <Empty title="No dashboards yet">{readOnly ? "This user has no dashboards." : "Create one, then add blocks to it."}</Empty>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
          {items.map((d) => (
            <Card key={d.key} className="min-w-0" data-testid="dashboard-card">
              <Link to={`${base}/dashboards/${encodeURIComponent(d.key)}`} className="truncate text-lg font-semibold text-cyan-700 hover:underline dark:text-cyan-400">
                {d.name}
              </Link>
              {d.description && <p className="line-clamp-2 text-sm text-gray-600 dark:text-gray-300">{d.description}</p>}
              <div className="flex items-center justify-between gap-2 text-xs text-gray-500 dark:text-gray-400">
                <span>updated {timeAgo(d.updated_at ?? d.created_at ?? null)}</span>
                {!readOnly && (
                  <span className="flex gap-1">
                    <Button size="xs" color="light" onClick={() => setForm({ dash: d })}>Rename</Button>
                    <Button size="xs" color="light" className="text-red-600" onClick={() => setDeleting(d)}>Delete</Button>
                  </span>
                )}
              </div>
            </Card>
          ))}
        </div>
      )}
      {form && (
        <DashboardForm owner={owner} dash={form.dash} onClose={() => setForm(null)} onSaved={(d) => {
          if (form.dash) list.setData((xs) => (xs ?? []).map((x) => (x.key === form.dash!.key ? { ...x, ...d } : x)));
          else nav(`/dashboards/${encodeURIComponent(d.key)}`);
        }} />
      )}
      <ConfirmModal open={!!deleting} title="Delete this dashboard?" confirmLabel="Delete dashboard" onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteDashboard(owner, deleting.key);
          list.setData((xs) => (xs ?? []).filter((x) => x.key !== deleting.key));
        }}>
        <p>The dashboard <strong>{deleting?.name}</strong> and its blocks are deleted. Feeds and their data stay.</p>
      </ConfirmModal>
    </>
  );
}
