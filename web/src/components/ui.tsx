// Small shared pieces of UI.
import { useState, type ReactNode } from "react";
import { Alert, Button, Modal, ModalBody, ModalFooter, ModalHeader, Spinner } from "flowbite-react";

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        <h1 className="truncate text-2xl font-bold tracking-tight text-gray-900 dark:text-white">{title}</h1>
        {subtitle && <div className="mt-1 text-sm text-gray-500 dark:text-gray-400">{subtitle}</div>}
      </div>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="flex items-center justify-center gap-3 p-8 text-gray-500 dark:text-gray-400" role="status">
      <Spinner size="md" aria-hidden /> <span>{label}</span>
    </div>
  );
}

export function ErrorAlert({ error, onRetry }: { error: Error | string; onRetry?: () => void }) {
  return (
    <Alert color="failure" className="mb-4">
      <div className="flex flex-wrap items-center gap-3">
        <span>{typeof error === "string" ? error : error.message}</span>
        {onRetry && <Button size="xs" color="light" onClick={onRetry}>Try again</Button>}
      </div>
    </Alert>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border-2 border-dashed border-gray-300 p-8 text-center dark:border-gray-700">
      <h3 className="mb-1 font-semibold text-gray-900 dark:text-white">{title}</h3>
      <div className="text-sm text-gray-500 dark:text-gray-400">{children}</div>
    </div>
  );
}

/** A confirmation dialog for destructive actions. */
export function ConfirmModal(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setErr(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal show={props.open} size="md" onClose={props.onClose} dismissible>
      <ModalHeader>{props.title}</ModalHeader>
      <ModalBody>
        <div className="space-y-3 text-sm text-gray-600 dark:text-gray-300">{props.children}</div>
        {err && <p className="mt-3 text-sm text-red-600 dark:text-red-400">{err}</p>}
      </ModalBody>
      <ModalFooter>
        <Button color="red" onClick={run} disabled={busy}>{busy ? "Working…" : props.confirmLabel}</Button>
        <Button color="alternative" onClick={props.onClose}>Cancel</Button>
      </ModalFooter>
    </Modal>
  );
}

/** Copies text to the clipboard; falls back to selecting a hidden textarea on plain http. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through */
  }
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  document.body.removeChild(ta);
  return ok;
}

export function CopyButton({ text, label = "Copy", size = "sm" }: { text: string; label?: string; size?: "xs" | "sm" }) {
  const [state, setState] = useState<"idle" | "ok" | "fail">("idle");
  return (
    <Button size={size} color="light" onClick={async () => {
      setState((await copyText(text)) ? "ok" : "fail");
      setTimeout(() => setState("idle"), 2000);
    }}>
      {state === "ok" ? "Copied" : state === "fail" ? "Select and copy" : label}
    </Button>
  );
}
