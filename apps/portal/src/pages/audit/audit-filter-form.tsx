import { useState, type FormEvent } from 'react';
import type { AuditEventFilter } from '../../api/operations/audit';
import { TextField } from '../../components/text-field';

/** Dates are whole days in the user's time zone; the API takes instants. */
function toFilter(action: string, actorId: string, from: string, to: string): AuditEventFilter {
  return {
    ...(action.trim() ? { action: action.trim() } : {}),
    ...(actorId.trim() ? { actorId: actorId.trim() } : {}),
    ...(from ? { from: new Date(`${from}T00:00:00`).toISOString() } : {}),
    ...(to ? { to: new Date(`${to}T23:59:59.999`).toISOString() } : {}),
  };
}

export function AuditFilterForm({ onApply }: { onApply: (filter: AuditEventFilter) => void }) {
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(toFilter(action, actorId, from, to));
  };
  return (
    <form className="card filter-form" onSubmit={submit} aria-label="Filter the audit log">
      <TextField
        label="Action"
        placeholder="e.g. api_key.created"
        value={action}
        onChange={(e) => setAction(e.target.value)}
      />
      <TextField label="Actor id" value={actorId} onChange={(e) => setActorId(e.target.value)} />
      <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      <button type="submit">Apply filter</button>
    </form>
  );
}
