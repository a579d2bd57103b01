#!/usr/bin/python3
"""A TCP proxy on loopback for partitions: 127.0.0.1:LISTEN -> 127.0.0.1:TARGET.

  tcp_proxy.py --listen PORT --target PORT --control PORT

Modes, set with one line on the control port (answer: "ok MODE" or the status):
  pass       forward both ways (the default)
  drop       close every open connection now, and close new ones as soon as accepted
  blackhole  keep every connection open but forward nothing either way (new
             connections are accepted, and not connected upstream): a silent
             partition. Bytes are held, not lost, as TCP would retransmit them
             once the partition heals; they flow again on "pass"
  status     "MODE connections=N"
Only 127.0.0.1 is ever listened on or connected to.
"""
import argparse
import asyncio

HOST = "127.0.0.1"


class Proxy:
    def __init__(self, target):
        self.target = target
        self.mode = "pass"
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.conns = set()
        self.entries = {}  # id -> [client writer, upstream writer or None]

    async def pipe(self, reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self.flowing.wait()  # black-holed: hold it (and, behind it, the sender)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(self, creader, cwriter):
        if self.mode == "drop":
            cwriter.transport.abort()
            return
        entry = [cwriter, None]
        self.conns.add(id(entry))
        self.entries[id(entry)] = entry
        try:
            await self.flowing.wait()  # a new connection waits out a black hole
            if self.mode == "drop":
                return
            try:
                ureader, uwriter = await asyncio.open_connection(HOST, self.target)
            except OSError:
                return
            entry[1] = uwriter
            await asyncio.gather(self.pipe(creader, uwriter), self.pipe(ureader, cwriter))
        finally:
            self.conns.discard(id(entry))
            self.entries.pop(id(entry), None)
            cwriter.close()

    def drop_all(self):
        for cw, uw in list(self.entries.values()):
            for w in (cw, uw):
                if w is not None:
                    transport = w.transport
                    if transport is not None:
                        transport.abort()  # RST, at once

    async def control(self, reader, writer):
        line = (await reader.readline()).decode().strip()
        if line in ("pass", "drop", "blackhole"):
            self.mode = line
            if line == "blackhole":
                self.flowing.clear()
            else:
                self.flowing.set()
            if line == "drop":
                self.drop_all()
            print(f"mode {line}", flush=True)
            writer.write(f"ok {line}\n".encode())
        elif line == "status":
            writer.write(f"{self.mode} connections={len(self.conns)}\n".encode())
        else:
            writer.write(b"error: pass|drop|blackhole|status\n")
        await writer.drain()
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--target", type=int, required=True)
    p.add_argument("--control", type=int, required=True)
    a = p.parse_args()
    proxy = Proxy(a.target)
    server = await asyncio.start_server(proxy.handle, HOST, a.listen)
    control = await asyncio.start_server(proxy.control, HOST, a.control)
    print(f"proxy {HOST}:{a.listen} -> {HOST}:{a.target}, control {HOST}:{a.control}", flush=True)
    async with server, control:
        await asyncio.gather(server.serve_forever(), control.serve_forever())


if __name__ == "__main__":
    asyncio.run(main())
