/**
 * A stand-in for Supabase's shared pooler (Supavisor) in front of a real PostgreSQL: it reads the
 * startup message, takes the project ref off `<role>.<ref>` and forwards the rest to the server, as
 * Supavisor does in session mode. Its refusals carry Supavisor's texts (supabase/supavisor
 * lib/supavisor/errors/*); `refuse` and `forceDatabase` play the two unconfirmed behaviours of
 * reference §5 (a custom role refused; another database routed to the first one seen).
 */
import { createConnection, createServer, type Socket } from "node:net";

export interface SupavisorStandIn {
  port: number;
  /** Roles refused, with the error Supavisor sends (SQLSTATE and message), `times` times (default: always). */
  refuse: Map<string, { code: string; message: string; times?: number }>;
  /** Connect every login to this database, whatever the client asks for. */
  forceDatabase?: string;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    ...[["S", "FATAL"], ["V", "FATAL"], ["C", code], ["M", message]].map(([k, v]) => Buffer.from(`${k}${v}\0`)),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

export async function startSupavisorStandIn(serverPort: number, ref: string): Promise<SupavisorStandIn> {
  const sockets = new Set<Socket>();
  const standIn: SupavisorStandIn = { port: 0, refuse: new Map(), close: async () => undefined };
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8 && buf.length >= buf.readInt32BE(0)) {
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        const msg = buf.subarray(8, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          client.write("N");
          continue;
        }
        client.off("data", onData);
        const parts = msg.toString("utf8").split("\0");
        const params: Record<string, string> = {};
        for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) params[parts[i]!] = parts[i + 1]!;
        const user = params.user ?? "";
        const dot = user.lastIndexOf(".");
        const fail = (c: string, m: string) => client.end(errorResponse(c, m));
        if (dot < 0) return fail("XX000", "(ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)");
        const role = user.slice(0, dot);
        if (user.slice(dot + 1) !== ref) return fail("XX000", `(ENOTFOUND) tenant/user ${user} not found`);
        const refused = standIn.refuse.get(role);
        if (refused && (refused.times === undefined || refused.times-- > 0)) return fail(refused.code, refused.message);
        const upstream = createConnection({ host: "127.0.0.1", port: serverPort }, () => {
          upstream.write(startupMessage({ ...params, user: role, database: standIn.forceDatabase ?? params.database ?? role }));
          if (buf.length) upstream.write(buf);
          client.pipe(upstream);
          upstream.pipe(client);
        });
        sockets.add(upstream);
        upstream.on("close", () => (sockets.delete(upstream), client.destroy()));
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        return;
      }
    };
    client.on("data", onData);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  standIn.port = (server.address() as { port: number }).port;
  standIn.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return standIn;
}
