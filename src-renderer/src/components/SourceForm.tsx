// Add or edit a PostgreSQL profile, and test it before saving.
import { useState, type FormEvent } from 'react';
import { SSL_MODES, type AppError, type ConnectionTestResult, type PostgresProfile, type ProfileInput, type SslMode } from '../../../src-preload/contract.ts';
import { api } from '../api.ts';
import { formatDuration } from '../format.ts';
import { closeSourceForm, saveSource } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

interface Fields {
  name: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  sslMode: SslMode;
  useReplica: boolean;
  replicaHost: string;
  replicaPort: string;
}

function fieldsOf(profile: PostgresProfile | undefined): Fields {
  return {
    name: profile?.name ?? '',
    host: profile?.host ?? 'localhost',
    port: String(profile?.port ?? 5432),
    database: profile?.database ?? '',
    user: profile?.user ?? '',
    password: '',
    sslMode: profile?.sslMode ?? 'prefer',
    useReplica: Boolean(profile?.replica),
    replicaHost: profile?.replica?.host ?? '',
    replicaPort: String(profile?.replica?.port ?? 5432),
  };
}

const SSL_LABEL: Record<SslMode, string> = {
  disable: 'Disable',
  prefer: 'Prefer',
  require: 'Require',
  'verify-full': 'Verify full (CA and host name)',
};

export function SourceForm() {
  const formFor = useAppState((s) => s.sourceForm);
  const sources = useAppState((s) => s.sources);
  const passwordStorage = useAppState((s) => s.info?.passwordStorage);
  const profile = sources.find((source) => source.profile?.id === formFor)?.profile;
  return (
    <Dialog open={formFor !== null} title={profile ? `Edit ${profile.name}` : 'Add PostgreSQL source'} onClose={closeSourceForm} testId="source-form" wide>
      {formFor !== null ? (
        <SourceFields
          key={formFor}
          profile={profile}
          passwordWarning={passwordStorage && !passwordStorage.available ? (passwordStorage.reason ?? '') : null}
          passwordNote={passwordStorage?.available ? (passwordStorage.reason ?? null) : null}
        />
      ) : null}
    </Dialog>
  );
}

interface SourceFieldsProps {
  profile: PostgresProfile | undefined;
  /** Set when passwords cannot be stored: why. */
  passwordWarning: string | null;
  /** Set when they can, with a caveat (e.g. kept in memory only). */
  passwordNote: string | null;
}

function SourceFields({ profile, passwordWarning, passwordNote }: SourceFieldsProps) {
  const [fields, setFields] = useState<Fields>(() => fieldsOf(profile));
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [tested, setTested] = useState<ConnectionTestResult | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => setFields((f) => ({ ...f, [key]: value }));

  function input(): ProfileInput {
    return {
      ...(profile ? { id: profile.id } : {}),
      name: fields.name.trim() || `${fields.database}@${fields.host}`,
      host: fields.host.trim(),
      port: Number(fields.port),
      database: fields.database.trim(),
      user: fields.user.trim(),
      sslMode: fields.sslMode,
      ...(fields.useReplica && fields.replicaHost.trim()
        ? { replica: { host: fields.replicaHost.trim(), port: Number(fields.replicaPort) } }
        : {}),
      // Editing: an empty box keeps the saved password.
      ...(fields.password !== '' || !profile ? { password: fields.password } : {}),
    };
  }

  async function test(): Promise<void> {
    setBusy('test');
    setError(null);
    setTested(null);
    const result = await api.testSource({ profile: input() });
    setBusy(null);
    if (result.ok) setTested(result.value);
    else setError(result.error);
  }

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy('save');
    setError(null);
    const saved = await saveSource(input());
    setBusy(null);
    if (saved.ok) closeSourceForm();
    else setError(saved.error);
  }

  return (
    <form className="form" onSubmit={(e) => void save(e)} aria-label="PostgreSQL source">
      {passwordWarning !== null ? (
        <p className="warning" role="note" data-testid="password-storage-warning">
          Passwords cannot be stored encrypted on this machine{passwordWarning ? ` (${passwordWarning})` : ''}. You may
          be asked for the password again after a restart.
        </p>
      ) : null}
      {passwordNote ? (
        <p className="hint" data-testid="password-storage-note">
          {passwordNote}
        </p>
      ) : null}
      <div className="form-grid">
        <label className="field field-wide">
          <span>Name</span>
          <input name="name" value={fields.name} placeholder="Sales warehouse" onChange={(e) => set('name', e.target.value)} />
        </label>
        <label className="field field-grow">
          <span>Host</span>
          <input name="host" required value={fields.host} onChange={(e) => set('host', e.target.value)} autoComplete="off" />
        </label>
        <label className="field field-port">
          <span>Port</span>
          <input name="port" required type="number" min={1} max={65535} value={fields.port} onChange={(e) => set('port', e.target.value)} />
        </label>
        <label className="field">
          <span>Database</span>
          <input name="database" required value={fields.database} onChange={(e) => set('database', e.target.value)} autoComplete="off" />
        </label>
        <label className="field">
          <span>User</span>
          <input name="user" required value={fields.user} onChange={(e) => set('user', e.target.value)} autoComplete="username" />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            value={fields.password}
            placeholder={profile?.hasPassword ? 'Saved (leave empty to keep)' : ''}
            onChange={(e) => set('password', e.target.value)}
            autoComplete="new-password"
          />
        </label>
        <label className="field">
          <span>SSL mode</span>
          <select name="sslMode" value={fields.sslMode} onChange={(e) => set('sslMode', e.target.value as SslMode)}>
            {SSL_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {SSL_LABEL[mode]}
              </option>
            ))}
          </select>
        </label>
        <label className="check field-wide">
          <input type="checkbox" name="useReplica" checked={fields.useReplica} onChange={(e) => set('useReplica', e.target.checked)} />
          <span>Run reports on a read replica</span>
        </label>
        {fields.useReplica ? (
          <>
            <label className="field field-grow">
              <span>Replica host</span>
              <input name="replicaHost" required value={fields.replicaHost} onChange={(e) => set('replicaHost', e.target.value)} />
            </label>
            <label className="field field-port">
              <span>Replica port</span>
              <input name="replicaPort" type="number" min={1} max={65535} value={fields.replicaPort} onChange={(e) => set('replicaPort', e.target.value)} />
            </label>
          </>
        ) : null}
      </div>
      {tested ? (
        <p className="hint ok" role="status" data-testid="source-test-ok">
          Connected as {tested.user} to {tested.database} in {formatDuration(tested.ms)} · {tested.serverVersion}
        </p>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" disabled={busy !== null} data-testid="source-test" onClick={() => void test()}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="button" onClick={closeSourceForm}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy !== null} data-testid="source-save">
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
