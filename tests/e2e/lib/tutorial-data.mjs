// The Atlas tutorial's Hive lineage: atlas_emr.trip_details + trip_zone_lookup
// -> (CTAS process) -> trip_details_by_zone, with column lineage.
const CLUSTER = 'primary';
const DB = 'atlas_emr';
const NOW = 1_718_000_000_000;

export const TABLES = {
  trip_details: [
    ['trip_id', 'string'],
    ['location_id', 'int'],
    ['pickup_time', 'timestamp'],
    ['fare_amount', 'double'],
  ],
  trip_zone_lookup: [
    ['location_id', 'int'],
    ['borough', 'string'],
    ['zone', 'string'],
    ['service_zone', 'string'],
  ],
  trip_details_by_zone: [
    ['trip_id', 'string'],
    ['location_id', 'int'],
    ['borough', 'string'],
    ['zone', 'string'],
    ['fare_amount', 'double'],
  ],
};

// target column of trip_details_by_zone <- source columns
export const COLUMN_LINEAGE = {
  trip_id: ['trip_details.trip_id'],
  location_id: ['trip_details.location_id', 'trip_zone_lookup.location_id'],
  borough: ['trip_zone_lookup.borough'],
  zone: ['trip_zone_lookup.zone'],
  fare_amount: ['trip_details.fare_amount'],
};

const qn = (...parts) => `${parts.join('.')}@${CLUSTER}`;

export function tutorialEntities() {
  let next = 1;
  const id = () => `-${next++}`;
  const entities = [];
  const ref = (e) => ({ guid: e.guid, typeName: e.typeName });
  const db = { typeName: 'hive_db', guid: id(), attributes: { name: DB, qualifiedName: `${DB}@${CLUSTER}`, clusterName: CLUSTER, owner: 'hadoop', description: 'EMR tutorial database' } };
  entities.push(db);
  const tables = {};
  const columns = {};
  for (const [table, cols] of Object.entries(TABLES)) {
    const t = {
      typeName: 'hive_table',
      guid: id(),
      attributes: { name: table, qualifiedName: qn(DB, table), owner: 'hadoop', tableType: 'EXTERNAL_TABLE', temporary: false, createTime: NOW, description: `${table} (tutorial)` },
      relationshipAttributes: { db: ref(db) },
    };
    tables[table] = t;
    entities.push(t);
    cols.forEach(([name, type], position) => {
      const c = {
        typeName: 'hive_column',
        guid: id(),
        attributes: { name, qualifiedName: qn(DB, table, name), type, position, owner: 'hadoop' },
        relationshipAttributes: { table: { ...ref(t), relationshipType: 'hive_table_columns' } },
      };
      columns[`${table}.${name}`] = c;
      entities.push(c);
    });
  }
  const processQn = `${qn(DB, 'trip_details_by_zone')}:${NOW}`;
  const query =
    'CREATE TABLE trip_details_by_zone AS SELECT d.trip_id, d.location_id, z.borough, z.zone, d.fare_amount FROM trip_details d JOIN trip_zone_lookup z ON d.location_id = z.location_id';
  const proc = {
    typeName: 'hive_process',
    guid: id(),
    attributes: {
      name: 'create table trip_details_by_zone',
      qualifiedName: processQn,
      operationType: 'CREATETABLE_AS_SELECT',
      queryText: query,
      queryPlan: 'Not Supported',
      queryId: 'hadoop_20240610_0001',
      userName: 'hadoop',
      startTime: NOW,
      endTime: NOW + 5000,
      inputs: [ref(tables.trip_details), ref(tables.trip_zone_lookup)],
      outputs: [ref(tables.trip_details_by_zone)],
    },
  };
  entities.push(proc);
  for (const [target, sources] of Object.entries(COLUMN_LINEAGE)) {
    entities.push({
      typeName: 'hive_column_lineage',
      guid: id(),
      attributes: {
        name: `${processQn}:${target}`,
        qualifiedName: `${processQn}:${target}`,
        depenendencyType: 'SIMPLE',
        inputs: sources.map((s) => ref(columns[s])),
        outputs: [ref(columns[`trip_details_by_zone.${target}`])],
        query: ref(proc),
      },
    });
  }
  return { entities };
}

/** Loads the tutorial over REST; returns name -> guid for tables, the db and the process. */
export async function loadTutorial(rest) {
  const body = tutorialEntities();
  const res = await rest('POST', '/v2/entity/bulk', body);
  const assigned = res?.guidAssignments ?? {};
  const guids = {};
  for (const e of body.entities) {
    if (e.typeName === 'hive_table' || e.typeName === 'hive_db' || e.typeName === 'hive_process') guids[e.attributes.name] = assigned[e.guid];
  }
  return guids;
}
