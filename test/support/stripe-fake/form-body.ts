/** A decoded Stripe request: nested objects and arrays of strings, as the SDK encoded them. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/**
 * Decodes Stripe's form encoding (`payload[value]=3`, `lookup_keys[0]=a`, `expand[]=x`) into
 * nested values. Objects whose keys are all indices become arrays.
 */
export function decodeStripeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const path = rawKey.split('[').map((part, i) => (i === 0 ? part : part.replace(/\]$/, '')));
    let node: { [key: string]: FormValue } = root;
    path.forEach((part, i) => {
      const key = part === '' ? String(Object.keys(node).length) : part;
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as { [key: string]: FormValue };
    });
  }
  return arraysFromIndexedObjects(root) as FormObject;
}

function arraysFromIndexedObjects(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: { [key: string]: FormValue } = {};
  for (const key of keys) converted[key] = arraysFromIndexedObjects(value[key]);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => converted[k]);
  return converted;
}

export function str(body: FormObject, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

export function obj(body: FormObject, key: string): Record<string, string> | undefined {
  const v = body[key];
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function strList(body: FormObject, key: string): string[] | undefined {
  const v = body[key];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}
