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

"""Logging in on a lab machine's serial console, as an operator would.

The console is the unix socket libvirt gives the machine's first serial
port (:attr:`multiarch_lab.domains.Domain.console_socket`). What the
machine prints while nobody is connected still reaches its serial log.
"""

import re
import socket
import time

#: Prompts: each must be the last thing printed, and stay so for
#: :data:`SETTLE` seconds (a getty may print it twice).
LOGIN_PROMPT = re.compile(r'login: ?\Z')
PASSWORD_PROMPT = re.compile(r'Password: ?\Z')
SHELL_PROMPT = re.compile(r'[$#] \Z')
REFUSED = re.compile(r'Login incorrect')
#: The answer of the command :func:`login` runs once logged in.
WHOAMI = re.compile(r'WHOAMI user=(\S+) arch=(\S+) END')
SETTLE = 1.5
#: Seconds of silence, without a prompt, after which Enter is pressed.
POKE_AFTER = 8


class ConsoleError(AssertionError):
    """The console did not answer as expected; carries what it printed."""


class SerialConsole(object):
    """A connection to a serial console's socket.

    :param path: the socket.
    :param timeout: seconds to wait for the socket to accept.
    """

    def __init__(self, path, timeout=30):
        self.path = path
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        self.sock.settimeout(0.3)
        self.text = ''
        self._seen = 0
        self._last_data = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, line):
        """Type ``line`` and Enter."""
        self.sock.sendall(line.encode() + b'\r')

    def _read(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        if not data:
            raise ConsoleError('%s closed; it printed:\n%s'
                               % (self.path, self.text[-1500:]))
        self._last_data = time.monotonic()
        self.text += data.decode(errors='replace').replace('\r', '')

    def expect(self, patterns, timeout, poke=False):
        """Wait for one of ``patterns`` in what came after the last match.

        A pattern anchored at the end (a prompt) counts once nothing more
        has come for :data:`SETTLE` seconds.

        :param poke: press Enter after :data:`POKE_AFTER` silent seconds
            without a match (to make a getty print its prompt again).
        :returns: ``(index of the pattern, match)``.
        :raises ConsoleError: after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        poked = time.monotonic()
        while True:
            self._read()
            new = self.text[self._seen:]
            quiet = time.monotonic() - self._last_data
            for index, pattern in enumerate(patterns):
                match = pattern.search(new)
                if match and (quiet >= SETTLE
                              or not pattern.pattern.endswith('\\Z')):
                    self._seen += match.end()
                    return index, match
            now = time.monotonic()
            if now > deadline:
                raise ConsoleError('%s: none of %s within %ss; it printed:'
                                   '\n%s' % (self.path,
                                             [p.pattern for p in patterns],
                                             timeout, new[-1500:]))
            if poke and min(quiet, now - poked) >= POKE_AFTER:
                self.send('')
                poked = now


def _attempt(console, user, password, timeout):
    """Log in at the getty; :returns: whether a shell started."""
    console.expect([LOGIN_PROMPT], timeout, poke=True)
    console.send(user)
    console.expect([PASSWORD_PROMPT], 60)
    console.send(password)
    index, _ = console.expect([SHELL_PROMPT, REFUSED], 120)
    return index == 0


def login(path, user, password, timeout=180, wrong_password=None):
    """Log in on a serial console and ask who and where we are.

    :param path: the console's socket.
    :param timeout: seconds to wait for the login prompt.
    :param wrong_password: if given, tried first, and it must be refused.
    :returns: ``(user, machine)`` as the logged-in shell reports them
        (``id -un``, ``uname -m``).
    :raises ConsoleError: if the wrong password is accepted, the right
        one refused, or anything does not answer in time.
    """
    with SerialConsole(path) as console:
        if wrong_password is not None and _attempt(
                console, user, wrong_password, timeout):
            console.send('exit')
            raise ConsoleError('%s: a wrong password was accepted for %r'
                               % (path, user))
        if not _attempt(console, user, password, timeout):
            raise ConsoleError('%s: login refused for %r' % (path, user))
        console.send('echo "WHOAMI user=$(id -un) arch=$(uname -m) END"')
        _, match = console.expect([WHOAMI], 60)
        console.send('exit')
        return match.group(1), match.group(2)
