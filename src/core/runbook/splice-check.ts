/**
 * Validate: no `${{ }}` template inside code handed to an interpreter by a shell step's argv
 * (`command`, `verify_command`) or on the stdin of an interpreter that reads its program there.
 * Which elements are code is decided by ./shell-splice.ts.
 */
import { splitTemplate } from './expr-parse.js';
import { hasExpression } from './expressions.js';
import { envRead, interpreted, type Lang } from './shell-splice.js';
import type { Path, Reporter } from './yaml.js';

/** The first `${{ … }}` of a text, and an environment variable name made from what it reads. */
function firstTemplate(text: string): { expr: string; name: string } {
  let expr = '${{ … }}';
  try {
    const p = splitTemplate(text).find((x) => x.kind === 'expr');
    if (p && p.kind === 'expr') expr = `\${{${p.src}}}`;
  } catch {
    /* a broken template is reported by the reference checks */
  }
  const last = /([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}$/.exec(expr)?.[1];
  const name = last && !/^(inputs|secrets|steps|item|incident|result|outputs)$/.test(last) ? last.replace(/-/g, '_').toUpperCase() : 'VALUE';
  return { expr, name };
}

function advice(lang: Lang, via: string, text: string, says?: string): string {
  const { expr, name } = firstTemplate(text);
  const yamlExpr = JSON.stringify(expr);
  if (lang === 'sed') return `a \${{ }} template in the script of \`${via}\` is spliced into sed code (${says ?? 'sed runs commands'}): a value such as /e, ;e … or ;w … would run a command or write a file. Pass the value in env: and substitute it with a tool that reads it as data — env: { ${name}: ${yamlExpr} } and command: [perl, -pe, 's/OLD/$ENV{${name}}/g'] (the value is not re-read as code)`;
  if (says) return `a \${{ }} template in \`${via}\` is spliced into code (${says}): a value such as $(…), \`…\`, ; or a quote would run as a command. Pass the value in env: and read it by name, quoted, in that value — env: { ${name}: ${yamlExpr} } and ${envRead(lang, name)} where the template was`;
  if (lang === 'ssh') return `the command of \`ssh\` is run by the remote shell, so a \${{ }} template there is spliced into code (a value such as $(…), \`…\` or ; would run on that host). Send the value on stdin instead — stdin: ${yamlExpr} — and read it in the remote command: 'read -r ${name}; … "$${name}"'`;
  if (lang === 'env-split') return `\`env -S\` splits this text into arguments, so a \${{ }} template there could add any argument. Give each argument as its own element of the list instead`;
  return `a \${{ }} template in the script of \`${via}\` is spliced into code: a value such as $(…), \`…\`, ; or a quote would run as a command. Pass the value in env: and read it by name in the script — env: { ${name}: ${yamlExpr} } and ${envRead(lang, name)} in the script`;
}

export function checkSplice(withValue: Record<string, unknown> | undefined, base: Path, rep: Reporter): void {
  if (!withValue) return;
  for (const field of ['command', 'verify_command'] as const) {
    const cmd = withValue[field];
    if (!Array.isArray(cmd)) continue;
    const argv = cmd.map((x) => (typeof x === 'string' ? x : ''));
    const found = interpreted(argv);
    for (const c of found.code) {
      const text = argv[c.index]!;
      if (hasExpression(text)) rep.atPath([...base, field, c.index], 'value', advice(c.lang, c.via, text, c.says), 'shell-splice');
    }
    const stdin = withValue.stdin;
    if (field === 'command' && found.stdin && typeof stdin === 'string' && hasExpression(stdin)) {
      const { expr, name } = firstTemplate(stdin);
      rep.atPath(
        [...base, 'stdin'],
        'value',
        `\`${found.stdin.via}\` reads its program from stdin, so a \${{ }} template there is spliced into code. Give the program as an argument or a file, and pass the value in env: — env: { ${name}: ${JSON.stringify(expr)} } and ${envRead(found.stdin.lang, name)} in the program`,
        'shell-splice',
      );
    }
  }
}
