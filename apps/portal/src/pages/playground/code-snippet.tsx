import { useState } from 'react';
import { CopyButton } from '../../components/copy-button';

const PREDICT =
  'mutation Predict($input: PredictInput!) { predict(input: $input) { outputs model version usage { units } timing { totalMs } } }';

function snippets(origin: string, key: string, variables: unknown) {
  const body = JSON.stringify({ query: PREDICT, variables });
  const curl = [
    `curl -sS ${origin}/graphql \\`,
    `  -H 'Authorization: Bearer ${key}' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '${body.replace(/'/g, `'\\''`)}'`,
  ].join('\n');
  const ts = [
    `const res = await fetch('${origin}/graphql', {`,
    `  method: 'POST',`,
    `  headers: { authorization: 'Bearer ${key}', 'content-type': 'application/json' },`,
    `  body: JSON.stringify({`,
    `    query: ${JSON.stringify(PREDICT)},`,
    `    variables: ${JSON.stringify(variables)},`,
    `  }),`,
    `});`,
    `const { data, errors } = await res.json();`,
    `if (errors) throw new Error(\`\${errors[0].extensions.code}: \${errors[0].message}\`);`,
    `console.log(data.predict.outputs);`,
  ].join('\n');
  return { curl, ts };
}

/** The same call from the user's own code, with their key (pasted here, never sent anywhere). */
export function CodeSnippet({ variables }: { variables: unknown }) {
  const [lang, setLang] = useState<'curl' | 'ts'>('curl');
  const [key, setKey] = useState('');
  const code = snippets(window.location.origin, key.trim() || 'mk_live_YOUR_KEY', variables)[lang];
  return (
    <section className="card" aria-labelledby="snippet-heading">
      <div className="row">
        <h2 id="snippet-heading">Call it from your code</h2>
        <div className="segmented" role="group" aria-label="Language">
          <button type="button" aria-pressed={lang === 'curl'} onClick={() => setLang('curl')}>
            curl
          </button>
          <button type="button" aria-pressed={lang === 'ts'} onClick={() => setLang('ts')}>
            TypeScript
          </button>
        </div>
      </div>
      <div className="field">
        <label htmlFor="snippet-key">Your API key (stays in this page)</label>
        <input
          id="snippet-key"
          type="password"
          autoComplete="off"
          placeholder="mk_live_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
      </div>
      <pre className="code" tabIndex={0} aria-label={`${lang} snippet`}>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} label="Copy snippet" />
    </section>
  );
}
