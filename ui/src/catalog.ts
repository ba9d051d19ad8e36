// Shared, cached knowledge about the type system and catalog-wide counts.
import { get } from './api';

export interface AttributeDef {
  name: string;
  typeName: string;
  isOptional?: boolean;
  cardinality?: string;
  isUnique?: boolean;
}
export interface TypeDef {
  name: string;
  category?: string;
  description?: string;
  superTypes?: string[];
  subTypes?: string[];
  attributeDefs?: AttributeDef[];
  relationshipAttributeDefs?: AttributeDef[];
  entityTypes?: string[];
  guid?: string;
  [k: string]: unknown;
}
export interface TypesDef {
  entityDefs: TypeDef[];
  classificationDefs: TypeDef[];
  enumDefs: TypeDef[];
  structDefs: TypeDef[];
  relationshipDefs: TypeDef[];
  businessMetadataDefs: TypeDef[];
}
export interface Metrics {
  entityActive: Record<string, number>;
  entityDeleted: Record<string, number>;
  tagEntities: Record<string, number>;
}

let typesPromise: Promise<TypesDef> | null = null;

export function loadTypes(refresh = false): Promise<TypesDef> {
  if (!typesPromise || refresh) {
    typesPromise = get('/v2/types/typedefs').then((t: any) => ({
      entityDefs: t?.entityDefs ?? [],
      classificationDefs: t?.classificationDefs ?? [],
      enumDefs: t?.enumDefs ?? [],
      structDefs: t?.structDefs ?? [],
      relationshipDefs: t?.relationshipDefs ?? [],
      businessMetadataDefs: t?.businessMetadataDefs ?? [],
    }));
    typesPromise.catch(() => (typesPromise = null));
  }
  return typesPromise;
}

export async function loadMetrics(): Promise<Metrics> {
  const m: any = await get('/admin/metrics');
  const d = m?.data ?? m ?? {};
  return {
    entityActive: d.entity?.entityActive ?? {},
    entityDeleted: d.entity?.entityDeleted ?? {},
    tagEntities: d.tag?.tagEntities ?? {},
  };
}

/** All super-types of `name` (transitively), nearest first, excluding itself. */
export function ancestors(defs: TypeDef[], name: string): string[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const out: string[] = [];
  const queue = [...(byName.get(name)?.superTypes ?? [])];
  while (queue.length) {
    const n = queue.shift()!;
    if (out.includes(n)) continue;
    out.push(n);
    queue.push(...(byName.get(n)?.superTypes ?? []));
  }
  return out;
}

export function isA(defs: TypeDef[], name: string, base: string): boolean {
  return name === base || ancestors(defs, name).includes(base);
}

/** Own and inherited attribute definitions of an entity or classification type. */
export function allAttributes(defs: TypeDef[], name: string): AttributeDef[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const seen = new Set<string>();
  const out: AttributeDef[] = [];
  for (const t of [name, ...ancestors(defs, name)]) {
    for (const a of byName.get(t)?.attributeDefs ?? []) {
      if (!seen.has(a.name)) {
        seen.add(a.name);
        out.push(a);
      }
    }
  }
  return out;
}

export function displayName(e: any): string {
  if (!e) return '';
  const a = e.attributes ?? {};
  return e.displayText || a.name || a.displayName || a.qualifiedName || e.guid || '';
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatTime(ms: unknown): string {
  const n = Number(ms);
  if (!ms || !Number.isFinite(n) || n <= 0) return '';
  return new Date(n).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
