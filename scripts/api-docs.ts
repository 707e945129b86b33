// Generates docs/api.md, the reference of mmcheck's public API: every name the package exports
// ('mmcheck', 'mmcheck/kernel', 'mmcheck/catalog' in package.json "exports"), with its signature
// and doc comment, grouped by the module that declares it (whose header comment introduces the
// group). What is not listed there is private to mmcheck. Read by the TypeScript compiler API.
//
//   node --import tsx scripts/api-docs.ts           rewrite docs/api.md
//   node --import tsx scripts/api-docs.ts --check   exit 1 if docs/api.md is not what it would write
//   (npm run docs:api [-- --check]; test/docs/api.test.ts runs the check)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const API_DOC = join(ROOT, 'docs/api.md');

interface Entry {
  name: string;
  kind: string;
  signature: string[];
  doc: string;
  members: { name: string; text: string; doc: string }[];
  file: string;
  line: number;
}

/** The package's entry points: specifier → source file. */
function entryPoints(): [string, string][] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string> };
  return Object.entries(pkg.exports).filter(([, f]) => f.endsWith('.ts')).map(([k, f]) => [`mmcheck${k.slice(1)}`, join(ROOT, f)]);
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** A string literal, or a `+` of them, as its value (else undefined). */
function literal(n: ts.Expression): string | undefined {
  if (ts.isStringLiteralLike(n)) return n.text;
  if (ts.isParenthesizedExpression(n)) return literal(n.expression);
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const a = literal(n.left), b = literal(n.right);
    return a !== undefined && b !== undefined ? a + b : undefined;
  }
  return undefined;
}

function docOf(sym: ts.Symbol, checker: ts.TypeChecker): string {
  return ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
}

/** The header comment of a source file (its leading `//` lines), as one paragraph per blank line. */
function headerOf(sf: ts.SourceFile): string {
  const lines: string[] = [];
  for (const l of sf.text.split('\n')) {
    if (!l.startsWith('//')) break;
    lines.push(l.replace(/^\/\/ ?/, ''));
  }
  return lines.join('\n').split(/\n\s*\n/).map(oneLine).filter(Boolean).join('\n\n');
}

function isPublicMember(d: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(d);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  const n = ts.getNameOfDeclaration(d);
  return !(n && (ts.isPrivateIdentifier(n) || n.getText().startsWith('_')));
}

function describe(name: string, sym: ts.Symbol, checker: ts.TypeChecker): Entry {
  const d = sym.declarations![0];
  const sf = d.getSourceFile();
  const e: Entry = {
    name, kind: '', signature: [], doc: docOf(sym, checker), members: [],
    file: relative(ROOT, sf.fileName), line: sf.getLineAndCharacterOfPosition(d.getStart()).line + 1,
  };
  const type = checker.getTypeOfSymbolAtLocation(sym, d);
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  if (ts.isFunctionDeclaration(d)) {
    e.kind = d.asteriskToken ? 'generator function' : 'function';
    e.signature = type.getCallSignatures().map((s) => `${name}${checker.signatureToString(s, undefined, flags)}`);
  } else if (ts.isClassDeclaration(d)) {
    e.kind = 'class';
    // `@opaque`: a type results carry but users do not take apart; its members are not listed.
    const opaque = ts.getJSDocTags(d).some((t) => t.tagName.text === 'opaque');
    if (opaque) e.kind = 'class (opaque: members not part of the API)';
    const ctor = checker.getTypeOfSymbolAtLocation(sym, d).getConstructSignatures()[0];
    if (ctor && !opaque) e.signature = [`new ${name}${checker.signatureToString(ctor, undefined, flags).replace(/: [^:]+$/, '')}`];
    for (const m of opaque ? [] : d.members) {
      if (ts.isConstructorDeclaration(m) || !m.name || !isPublicMember(m)) continue;
      const ms = checker.getSymbolAtLocation(m.name);
      if (!ms) continue;
      const mt = checker.getTypeOfSymbolAtLocation(ms, m);
      const text = ts.isMethodDeclaration(m)
        ? mt.getCallSignatures().map((s) => `${ms.name}${checker.signatureToString(s, undefined, flags)}`).join('; ')
        : ts.isGetAccessorDeclaration(m) ? `get ${ms.name}: ${checker.typeToString(mt, undefined, flags)}` : `${ms.name}: ${checker.typeToString(mt, undefined, flags)}`;
      e.members.push({ name: ms.name, text, doc: docOf(ms, checker) });
    }
  } else if (ts.isInterfaceDeclaration(d)) {
    e.kind = 'interface';
    for (const m of d.members) {
      if (!m.name) continue;
      const ms = checker.getSymbolAtLocation(m.name);
      if (!ms) continue;
      e.members.push({ name: ms.name, text: oneLine(m.getText().replace(/\/\*\*[\s\S]*?\*\//g, '')).replace(/;$/, ''), doc: docOf(ms, checker) });
    }
  } else if (ts.isTypeAliasDeclaration(d)) {
    e.kind = 'type';
    e.signature = [oneLine(`type ${name}${d.typeParameters ? `<${d.typeParameters.map((p) => p.getText()).join(', ')}>` : ''} = ${d.type.getText()}`)];
  } else if (ts.isVariableDeclaration(d)) {
    e.kind = 'const';
    // An invariant declared with defineInvariant(id, title, meaning) is documented by its own words.
    const init = d.initializer;
    if (!e.doc && init && ts.isCallExpression(init) && init.expression.getText() === 'defineInvariant') {
      const [id, title, meaning] = init.arguments.map(literal);
      if (id && title) e.doc = `${id}: ${title}${meaning ? ` ${meaning}` : ''}`;
    }
    const text = checker.typeToString(type, undefined, flags);
    e.signature = [`${name}: ${text.length > 300 ? `${text.slice(0, 297)}...` : text}`];
  } else {
    e.kind = ts.SyntaxKind[d.kind];
  }
  // A name that is both a value and a type (OpKind, Mode): say so once.
  if (sym.flags & ts.SymbolFlags.TypeAlias && sym.flags & ts.SymbolFlags.Variable) e.kind = 'const and type';
  return e;
}

/** The Markdown text of docs/api.md. Also returns the exported names that have no doc comment. */
export function generate(): { text: string; undocumented: string[] } {
  const entries = entryPoints();
  const opts: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true, noEmit: true, strict: true, skipLibCheck: true, types: ['node'],
  };
  const program = ts.createProgram(entries.map(([, f]) => f), opts);
  const checker = program.getTypeChecker();
  const out: string[] = [
    '# mmcheck API reference',
    '',
    '<!-- Generated by scripts/api-docs.ts from the doc comments of the sources: do not edit;',
    '     run `npm run docs:api` after changing an exported name or its comment. -->',
    '',
    'What a scenario or program file may import. Everything not listed here is private to mmcheck',
    'and may change without notice. A file anywhere imports these names from the package:',
    '',
    '```ts',
    "import { defineProgram, Mode, type Builder, type Ctx } from 'mmcheck';",
    "import { newFolio, folio_try_get, variants, type Scenario } from 'mmcheck/kernel';",
    '```',
    '',
    'and runs with `npx mmcheck check my-scenario.ts` (docs/writing-scenarios.md). Each name links',
    'to the source that declares it.',
    '',
  ];
  const undocumented: string[] = [];
  for (const [spec, file] of entries) {
    const sf = program.getSourceFile(file)!;
    const mod = checker.getSymbolAtLocation(sf)!;
    const byFile = new Map<string, { header: string; entries: Entry[] }>();
    for (const exp of checker.getExportsOfModule(mod)) {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      if (!sym.declarations?.length) continue;
      const e = describe(exp.name, sym, checker);
      if (!e.doc) undocumented.push(`${spec}: ${e.name} (${e.file}:${e.line})`);
      const declSf = sym.declarations[0].getSourceFile();
      const group = byFile.get(e.file) ?? { header: headerOf(declSf), entries: [] };
      group.entries.push(e);
      byFile.set(e.file, group);
    }
    const files = [...byFile.keys()];
    out.push(`## \`${spec}\``, '', `${files.length} module${files.length === 1 ? '' : 's'}, ${[...byFile.values()].reduce((n, g) => n + g.entries.length, 0)} names (\`${relative(ROOT, file)}\`).`, '');
    for (const f of files) {
      const g = byFile.get(f)!;
      out.push(`### ${f}`, '');
      if (g.header) out.push(g.header, '');
      for (const e of g.entries.sort((a, b) => a.line - b.line)) {
        out.push(`#### \`${e.name}\``, '');
        // The file, not the line: a line number would date the page at every edit above the name.
        out.push(`${e.kind} — [${e.file}](../${e.file})`, '');
        if (e.signature.length) out.push('```ts', ...e.signature, '```', '');
        if (e.doc) out.push(e.doc, '');
        if (e.members.length) {
          for (const m of e.members) out.push(`- \`${m.text}\`${m.doc ? ` — ${oneLine(m.doc)}` : ''}`);
          out.push('');
        }
      }
    }
  }
  return { text: `${out.join('\n').trimEnd()}\n`, undocumented };
}

function cli(argv: string[]): number {
  const { text, undocumented } = generate();
  for (const u of undocumented) process.stderr.write(`no doc comment: ${u}\n`);
  if (argv.includes('--check')) {
    let now = '';
    try {
      now = readFileSync(API_DOC, 'utf8');
    } catch {
      // missing: out of date
    }
    if (now !== text) {
      process.stderr.write('docs/api.md is out of date: run npm run docs:api\n');
      return 1;
    }
    return 0;
  }
  writeFileSync(API_DOC, text);
  process.stdout.write(`wrote docs/api.md (${text.split('\n').length} lines)\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = cli(process.argv.slice(2));
}
