import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import {
  BUILT_IN_POLICIES,
  DEPLOYMENT_ERROR_CODES,
} from '@deployments-portal/backstage-plugin-deployments-common';

// The documentation keeps up with the code: every policy id, every error code
// and every configuration key has its place in docs/.
const pluginDir = dirname(
  require.resolve(
    '@deployments-portal/backstage-plugin-deployments-backend/package.json',
  ),
);
const docs = (page: string) =>
  readFileSync(resolve(pluginDir, '../../docs/docs', page), 'utf8');
const headings = (page: string) =>
  new Set(
    docs(page)
      .split('\n')
      .filter(line => line.startsWith('### '))
      .map(line => line.slice(4).trim()),
  );

/** Dotted paths of config.d.ts, index signatures as <env> / <policy id>. */
function configPaths(): string[] {
  const file = resolve(pluginDir, 'config.d.ts');
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const paths: string[] = [];
  const placeholder: Record<string, string> = {
    name: '<env>',
    policyId: '<policy id>',
  };

  function walk(type: ts.TypeNode | undefined, prefix: string) {
    if (!type || !ts.isTypeLiteralNode(type)) {
      paths.push(prefix);
      return;
    }
    for (const member of type.members) {
      if (ts.isPropertySignature(member)) {
        walk(member.type, `${prefix}.${member.name.getText(source)}`);
      } else if (ts.isIndexSignatureDeclaration(member)) {
        const name = member.parameters[0].name.getText(source);
        if (!placeholder[name]) continue; // free-form parameters
        const path = `${prefix}.${placeholder[name]}`;
        // Policy settings are documented per policy in policies.md.
        if (name === 'policyId') paths.push(path);
        else walk(member.type, path);
      }
    }
  }

  source.forEachChild(node => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'Config') {
      for (const member of node.members) {
        if (ts.isPropertySignature(member)) {
          walk(member.type, member.name.getText(source));
        }
      }
    }
  });
  return paths;
}

describe('documentation', () => {
  it('has a section for every built-in policy in the policies reference', () => {
    const sections = headings('policies.md');
    const missing = BUILT_IN_POLICIES.map(p => p.id).filter(
      id => !sections.has(id),
    );
    expect(missing).toEqual([]);
  });

  it('has a section for every error code in the troubleshooting guide', () => {
    const sections = headings('troubleshooting.md');
    const missing = Object.keys(DEPLOYMENT_ERROR_CODES).filter(
      code => !sections.has(code),
    );
    expect(missing).toEqual([]);
  });

  it('documents every key of config.d.ts in the configuration reference', () => {
    const paths = configPaths();
    expect(paths).toContain('deployments.rollout.timeoutSeconds');
    expect(paths).toContain('deployments.environments.<env>.cluster');
    const reference = docs('administration.md');
    const missing = paths.filter(path => !reference.includes(`\`${path}\``));
    expect(missing).toEqual([]);
  });
});
