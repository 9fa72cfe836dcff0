import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { synthPlatform } from './platform.fixture';

const { app } = synthPlatform();

function walk(node: IConstruct, visit: (c: IConstruct) => void): void {
  visit(node);
  for (const child of node.node.children) walk(child, visit);
}

describe('cdk-nag AwsSolutions and synthesis', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map(
        (r) =>
          `${v.ruleName} (${v.severity}) at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`,
      ),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledgement a specific reason', () => {
    const acknowledged: Array<{ id: string; reason: string }> = [];
    walk(app, (c) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        // Stored as { "<plugin>::<rule id>": "<reason>" }.
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          acknowledged.push({ id, reason });
      }
    });
    expect(acknowledged.length).toBeGreaterThan(10);
    const vague = acknowledged.filter((a) => typeof a.reason !== 'string' || a.reason.trim().length < 40);
    expect(vague).toEqual([]);
  });

  it('synthesizes offline with no Docker image asset to build', () => {
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'Maas-Api',
      'Maas-Data',
      'Maas-Edge',
      'Maas-Inference',
      'Maas-Network',
      'Maas-Observability',
      'Maas-Queue',
      'Maas-Registry',
    ]);
    for (const stack of assembly.stacks) {
      const manifest = JSON.parse(
        fs.readFileSync(path.join(assembly.directory, `${stack.stackName}.assets.json`), 'utf8'),
      );
      expect(Object.keys(manifest.dockerImages ?? {})).toEqual([]);
    }
  });
});
