import { useEffect, useRef } from 'react';
import type { CreatedApiKey } from '../../api/operations/api-keys';
import { CopyButton } from '../../components/copy-button';

/** The secret, shown this one time; focus moves here so a keyboard user lands on it. */
export function SecretOnce({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [created]);
  return (
    <section className="callout" aria-labelledby="secret-heading" tabIndex={-1} ref={ref}>
      <h2 id="secret-heading">Your new key “{created.apiKey.name}”</h2>
      <p>Copy it now: it will not be shown again.</p>
      <div className="secret-row">
        <code className="secret" data-testid="api-key-secret">
          {created.secret}
        </code>
        <CopyButton text={created.secret} />
      </div>
      <button type="button" onClick={onDone}>
        I have saved it
      </button>
    </section>
  );
}
