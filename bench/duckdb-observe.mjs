// DuckDB reference for bench/observe.sh: the GROUP BY that `walls observe`
// computes, over the same v5 text file (header line, space-delimited, "-" as
// null), with 2 threads. Per record: the initiator from tcp-flags (SYN-ACK:
// the receiver; SYN: the sender), else from port classes (service port below
// 1024 against the rest, ephemeral 32768+ against the rest, then the lower
// port); the local side from flow-direction; the remote from pkt-*addr.
// Usage: node duckdb-observe.mjs FILE [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '2'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node duckdb-observe.mjs FILE [THREADS]');
  process.exit(2);
}
const q = (s) => s.replace(/'/g, "''");
const sql = `
WITH r AS (
  SELECT *,
    CASE
      WHEN protocol = 6 AND "tcp-flags" IS NOT NULL AND ("tcp-flags" & 16) <> 0 THEN false
      WHEN protocol = 6 AND "tcp-flags" IS NOT NULL AND ("tcp-flags" & 2) <> 0 THEN true
      WHEN dstport < 1024 AND srcport >= 1024 THEN true
      WHEN srcport < 1024 AND dstport >= 1024 THEN false
      WHEN srcport >= 32768 AND dstport < 32768 THEN true
      WHEN dstport >= 32768 AND srcport < 32768 THEN false
      ELSE srcport > dstport
    END AS src_initiated,
    protocol = 6 AND "tcp-flags" IS NOT NULL AND ("tcp-flags" & 18) <> 0 AS exact
  FROM read_csv('${q(file)}', delim = ' ', header = true, nullstr = '-', auto_detect = true)
  WHERE "log-status" = 'OK'
)
SELECT "interface-id" AS interface_id,
  CASE WHEN ("flow-direction" = 'egress') = src_initiated THEN 'outbound' ELSE 'inbound' END AS direction,
  protocol,
  CASE WHEN src_initiated THEN dstport ELSE srcport END AS port,
  CASE WHEN "flow-direction" = 'egress' THEN coalesce("pkt-dstaddr", dstaddr) ELSE coalesce("pkt-srcaddr", srcaddr) END AS remote,
  action,
  count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes,
  min(start) AS first_seen, max("end") AS last_seen,
  bool_or(exact) AS exact
FROM r
GROUP BY ALL`;

const instance = await DuckDBInstance.create(':memory:', { threads });
const conn = await instance.connect();
const t0 = performance.now();
const reader = await conn.runAndReadAll(sql);
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ engine: 'duckdb', threads: Number(threads), seconds, groups: reader.currentRowCount }));
