# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""A small HTTP server of one directory, run inside the lab's namespace.

``python -m multiarch_lab.httpd --bind ADDR --port N --root DIR --log F``
serves DIR (threaded, symlinks followed) and appends one line per
request to F: ``<status> <path> <client address>``. :class:`HttpServer`
is the lab's handle on it.
"""

import argparse
import functools
import http.server
import os
import socket
import sys
import time


class _Handler(http.server.SimpleHTTPRequestHandler):
    access_log = None

    def log_request(self, code='-', size='-'):
        with open(self.access_log, 'a') as log:
            log.write('%s %s %s\n' % (getattr(code, 'value', code),
                                      self.path, self.client_address[0]))

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler):
        if ':' in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)


class HttpServer(object):
    """A running HTTP server process (see :meth:`Lab.http_server`).

    :ivar url: ``http://<address>:<port>`` (IPv6 in brackets).
    :ivar port: the TCP port.
    :ivar root: the directory served.
    :ivar access_log: the file of ``<status> <path> <client>`` lines.
    :ivar process: the :class:`subprocess.Popen`.
    """

    def __init__(self, url, port, root, access_log, process):
        self.url = url
        self.port = port
        self.root = root
        self.access_log = access_log
        self.process = process

    def requests(self, client=None):
        """:param client: only the requests of this client address.
        :returns: ``[(path, status)]`` in the order they were served.
        """
        try:
            with open(self.access_log) as log:
                lines = log.read().splitlines()
        except OSError:
            return []
        found = []
        for line in lines:
            fields = line.split(' ')
            if len(fields) == 3 and client in (None, fields[2]):
                found.append((fields[1], int(fields[0])))
        return found

    def stop(self):
        """Stop the server (by its process id); safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except Exception:
                self.process.kill()
                self.process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(prog='multiarch_lab.httpd')
    parser.add_argument('--bind', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--root', required=True)
    parser.add_argument('--log', required=True)
    args = parser.parse_args(argv)
    handler = functools.partial(
        type('Handler', (_Handler,), {'access_log': args.log}),
        directory=os.path.abspath(args.root))
    # The bridge address may still be settling (IPv6 DAD is off, but be
    # patient with a busy machine).
    for attempt in range(50):
        try:
            server = _Server((args.bind, args.port), handler)
            break
        except OSError:
            if attempt == 49:
                raise
            time.sleep(0.1)
    open(args.log, 'a').close()
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    server.serve_forever()


if __name__ == '__main__':
    main()
