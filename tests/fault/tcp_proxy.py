#!/usr/bin/python3
"""A TCP proxy on loopback for partitions: 127.0.0.1:LISTEN -> 127.0.0.1:TARGET.

  tcp_proxy.py --listen PORT --target PORT --control PORT

Modes, set with one line on the control port (answer: "ok MODE" or the status):
  pass       forward both ways (the default)
  drop       close every open connection now, and close new ones as soon as accepted
  blackhole  keep every connection open but forward nothing either way (new
             connections are accepted and then ignored): a silent partition
  status     "MODE connections=N"
Bytes that arrive while black-holed are discarded, as a partition would lose them.
Only 127.0.0.1 is ever listened on or connected to.
"""
import argparse
import asyncio

HOST = "127.0.0.1"


class Proxy:
    def __init__(self, target):
        self.target = target
        self.mode = "pass"
        self.conns = set()  # (client writer, upstream writer or None)

    async def pipe(self, reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if self.mode == "pass":
                    writer.write(data)
                    await writer.drain()
                # blackhole: swallow; drop closes the connection from outside
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(self, creader, cwriter):
        if self.mode == "drop":
            cwriter.close()
            return
        if self.mode == "blackhole":
            # Accept and never forward; hold the connection until the mode changes to drop
            # or the client gives up.
            entry = (cwriter, None)
            self.conns.add(entry)
            try:
                while await creader.read(65536):
                    pass
            except ConnectionError:
                pass
            finally:
                self.conns.discard(entry)
                cwriter.close()
            return
        try:
            ureader, uwriter = await asyncio.open_connection(HOST, self.target)
        except OSError:
            cwriter.close()
            return
        entry = (cwriter, uwriter)
        self.conns.add(entry)
        try:
            await asyncio.gather(self.pipe(creader, uwriter), self.pipe(ureader, cwriter))
        finally:
            self.conns.discard(entry)

    def drop_all(self):
        for cw, uw in list(self.conns):
            for w in (cw, uw):
                if w is not None:
                    transport = w.transport
                    if transport is not None:
                        transport.abort()  # RST, at once
        self.conns.clear()

    async def control(self, reader, writer):
        line = (await reader.readline()).decode().strip()
        if line in ("pass", "drop", "blackhole"):
            self.mode = line
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
