import { IAspect, TerraformElement } from 'cdktf';
import { IConstruct } from 'constructs';

/*
 * The one boundary into Terraform (DESIGN principle 10). In Terraform JSON every string is a
 * template: `${…}` interpolates and `%{…}` is a directive, in values and in the keys of maps alike.
 * Literal text (a bundled script, the dashboard, a settings value, a rule annotation) must reach
 * Terraform with those sequences doubled (`$${`, `%%{`), which Terraform reads back as written.
 *
 * cdktf resolves references into the same `${…}` text, so after synthesis a literal and a
 * reference look alike. Before resolution they do not: a reference is still a token marker. So each
 * element's Terraform output is escaped there, on every literal fragment, and nowhere else.
 * (`Fn.rawString` is not enough: it leaves `%{` as it is.)
 */

/** cdktf's marker for a string token (its `BEGIN_STRING_TOKEN_MARKER` … `END_TOKEN_MARKER`). */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** `text` as Terraform's template syntax reads it back unchanged: `${` → `$${`, `%{` → `%%{`. */
export function escapeTemplateSequences(text: string): string {
  // Replacer functions: in a replacement string, `$$` would itself mean one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * What Terraform reads from text {@link escapeTemplateSequences} escaped (plain text, no reference):
 * for whoever reads the synth output as Terraform will, such as the tests that run a shipped script.
 */
export function readTemplateLiteral(escaped: string): string {
  return escaped.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/** A string in which cdktf tokens stay tokens and everything between them is escaped. */
function escapeLiteralFragments(text: string): string {
  let escaped = '';
  let literalStart = 0;
  for (const marker of text.matchAll(STRING_TOKEN)) {
    escaped += escapeTemplateSequences(text.slice(literalStart, marker.index)) + marker[0];
    literalStart = marker.index + marker[0].length;
  }
  return escaped + escapeTemplateSequences(text.slice(literalStart));
}

/**
 * `value` (an element's Terraform output before token resolution) with every literal string and
 * map key escaped. Objects that are not plain data (tokens, lazy values) are left to cdktf.
 */
export function escapeLiterals(value: unknown): unknown {
  if (typeof value === 'string') return escapeLiteralFragments(value);
  if (Array.isArray(value)) return value.map(escapeLiterals);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [escapeLiteralFragments(key), escapeLiterals(item)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

const escaped = new WeakSet<TerraformElement>();

/**
 * Escapes the literal text of every Terraform element under the scope it is added to (resources,
 * data sources, providers, backends, outputs, import blocks): added once, by {@link ProjectStack}.
 */
export class TerraformLiteralEscaping implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformElement) || escaped.has(node)) return;
    escaped.add(node);
    const synthesize = node.toTerraform.bind(node);
    node.toTerraform = () => escapeLiterals(synthesize());
  }
}
