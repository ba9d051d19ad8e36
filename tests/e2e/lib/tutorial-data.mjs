// The Atlas tutorial catalog (tests/fixtures): atlas_emr.trip_details and
// trip_zone_lookup -> CTAS hive_process -> trip_details_by_zone, with columns
// and hive_column_lineage per output column.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const read = (name) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

export const catalog = read('tutorial_catalog.json');
export const lineage = read('tutorial_lineage.json');

/** Names of the hive_column entities called `name`, as `table.column`. */
export function columnsNamed(name) {
  const tables = new Map(catalog.entities.filter((e) => e.typeName === 'hive_table').map((t) => [t.guid, t.attributes.name]));
  return catalog.entities
    .filter((e) => e.typeName === 'hive_column' && e.attributes.name === name)
    .map((c) => `${tables.get(c.attributes.table?.guid)}.${c.attributes.name}`);
}

/** Loads the tutorial over REST; returns name -> guid for the db, the tables and the process. */
export async function loadTutorial(rest) {
  const guids = {};
  for (const body of [catalog, lineage]) {
    const res = await rest('POST', '/v2/entity/bulk', body);
    const assigned = res?.guidAssignments ?? {};
    for (const e of body.entities) {
      if (['hive_db', 'hive_table', 'hive_process'].includes(e.typeName) && assigned[e.guid]) guids[e.attributes.name] = assigned[e.guid];
    }
  }
  return guids;
}
