import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';

export interface GqlOperationLabels {
  type: 'query' | 'mutation' | 'subscription';
  /** The operation's root fields, each a field of the schema: a bounded set of label values. */
  fields: string[];
}

/**
 * Metric labels for a GraphQL operation. The caller's operationName is free text, so it never
 * becomes a label (a flood of made-up names would be a flood of series, and other tenants
 * would read them): the root fields it selects, as named by the schema, are used instead.
 */
export function operationLabels(schema: GraphQLSchema, document: DocumentNode): GqlOperationLabels {
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const type = op?.operation ?? 'query';
  const root =
    type === 'mutation'
      ? schema.getMutationType()
      : type === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const known = root?.getFields() ?? {};
  const fields = new Set<string>();
  for (const sel of op?.selectionSet.selections ?? []) {
    if (sel.kind !== 'Field') {
      fields.add('fragment');
    } else if (sel.name.value.startsWith('__')) {
      fields.add('introspection');
    } else {
      fields.add(Object.hasOwn(known, sel.name.value) ? sel.name.value : 'unknown');
    }
  }
  return { type, fields: fields.size ? [...fields].sort() : ['none'] };
}
