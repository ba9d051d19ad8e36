// Business metadata of an entity (Atlas's businessAttributes): every business
// metadata whose attributes apply to the entity's type, with their values, and
// a form that saves them all at once (POST .../businessmetadata?isOverwrite=true).
import { useState } from 'preact/hooks';
import { del, post } from '../api';
import { isA, type AttributeDef, type TypesDef } from '../catalog';
import { DialogButtons, ErrorBox, Modal } from '../components';
import { useSubmit } from '../hooks';

interface Applicable {
  name: string;
  attributes: AttributeDef[];
}

function applicableTypes(a: AttributeDef): string[] {
  const raw = (a as any).options?.applicableEntityTypes;
  try {
    const list = typeof raw === 'string' ? JSON.parse(raw) : raw;
    return Array.isArray(list) ? list.filter((t) => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/** The business metadata (and their attributes) that apply to entities of `typeName`. */
export function applicableBusinessMetadata(types: TypesDef, typeName: string): Applicable[] {
  return types.businessMetadataDefs
    .map((bm) => ({
      name: bm.name,
      attributes: (bm.attributeDefs ?? []).filter((a) => applicableTypes(a).some((t) => isA(types.entityDefs, typeName, t))),
    }))
    .filter((bm) => bm.attributes.length > 0);
}

const show = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));

export function BusinessMetadata({ entity, types, reload }: { entity: any; types: TypesDef; reload: () => void }) {
  const [editing, setEditing] = useState(false);
  const applicable = applicableBusinessMetadata(types, entity.typeName);
  if (!applicable.length) return null;
  const values: Record<string, Record<string, unknown>> = entity.businessAttributes ?? {};
  return (
    <section class="card" data-testid="business-metadata">
      <div class="title-row">
        <h2>Business metadata</h2>
        <span class="grow" />
        <button class="secondary small" data-testid="edit-business-metadata" onClick={() => setEditing(true)}>
          Edit
        </button>
      </div>
      {applicable.map((bm) => (
        <>
          <h3>{bm.name}</h3>
          <dl class="props">
            {bm.attributes.map((a) => (
              <>
                <dt>{a.name}</dt>
                <dd data-testid={`bm-value-${bm.name}.${a.name}`}>
                  {show(values[bm.name]?.[a.name]) || <span class="muted">—</span>}
                </dd>
              </>
            ))}
          </dl>
        </>
      ))}
      {editing ? (
        <EditBusinessMetadata
          entity={entity}
          types={types}
          applicable={applicable}
          onClose={() => setEditing(false)}
          onDone={() => (setEditing(false), reload())}
        />
      ) : null}
    </section>
  );
}

function EditBusinessMetadata({
  entity,
  types,
  applicable,
  onClose,
  onDone,
}: {
  entity: any;
  types: TypesDef;
  applicable: Applicable[];
  onClose: () => void;
  onDone: () => void;
}) {
  const current: Record<string, Record<string, unknown>> = entity.businessAttributes ?? {};
  const [draft, setDraft] = useState<Record<string, string>>(() => {
    const d: Record<string, string> = {};
    for (const bm of applicable) for (const a of bm.attributes) d[`${bm.name}.${a.name}`] = show(current[bm.name]?.[a.name]);
    return d;
  });
  const enumValues = (typeName: string) =>
    (types.enumDefs.find((e) => e.name === typeName)?.elementDefs as any[] | undefined)?.map((e) => String(e.value));
  const { busy, error, run } = useSubmit(async () => {
    const body: Record<string, Record<string, unknown>> = {};
    for (const bm of applicable) {
      for (const a of bm.attributes) {
        const text = draft[`${bm.name}.${a.name}`].trim();
        if (!text) continue;
        const value = a.typeName.startsWith('array<') ? text.split(',').map((s) => s.trim()).filter(Boolean) : text;
        (body[bm.name] ??= {})[a.name] = value;
      }
    }
    const path = `/v2/entity/guid/${encodeURIComponent(entity.guid)}/businessmetadata`;
    if (Object.keys(body).length) await post(path, body, { isOverwrite: true });
    else if (Object.keys(current).length) await del(path, Object.fromEntries(Object.keys(current).map((k) => [k, {}])));
    onDone();
  });
  return (
    <Modal
      title="Edit business metadata"
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={busy} testId="business-metadata-save">
          Save
        </DialogButtons>
      }
    >
      <ErrorBox error={error} />
      {applicable.map((bm) => (
        <fieldset>
          <legend>{bm.name}</legend>
          {bm.attributes.map((a) => {
            const key = `${bm.name}.${a.name}`;
            const set = (v: string) => setDraft({ ...draft, [key]: v });
            const options = a.typeName === 'boolean' ? ['true', 'false'] : enumValues(a.typeName);
            return (
              <label>
                {a.name} <span class="muted">({a.typeName})</span>
                {options ? (
                  <select name={key} data-testid={`bm-input-${key}`} value={draft[key]} onChange={(e) => set(e.currentTarget.value)}>
                    <option value="">—</option>
                    {options.map((o) => (
                      <option value={o}>{o}</option>
                    ))}
                  </select>
                ) : (
                  <input
                    name={key}
                    data-testid={`bm-input-${key}`}
                    value={draft[key]}
                    placeholder={a.typeName.startsWith('array<') ? 'comma-separated' : ''}
                    onInput={(e) => set(e.currentTarget.value)}
                  />
                )}
              </label>
            );
          })}
        </fieldset>
      ))}
    </Modal>
  );
}
