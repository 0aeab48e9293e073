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

"""The serial-console client against a scripted getty on a unix socket.

The lab's life-cycle test logs in on real machines; this checks the
client's dialogue: prompts, a refusal, the shell's answer, a timeout.
"""

import os
import socket
import tempfile
import threading

import pytest

from multiarch_lab import console


def _getty(sock, password, arch, greet=True):
    """Serve one connection as agetty + login + a shell would.

    Like a getty that has already printed its prompt, it prints nothing
    until Enter is pressed; after a refusal it prints the prompt twice,
    as ``login`` does when an Enter was typed during its delay.
    """
    conn, _ = sock.accept()
    lines = conn.makefile('rb')

    def line():
        text = b''
        while not text.endswith(b'\r'):
            byte = lines.read(1)
            if not byte:
                return None
            text += byte
        return text[:-1].decode()

    with conn:
        if line() is None:          # the first Enter
            return
        prompt = b'\r\nDebian GNU/Linux 12 (none) ttyS0\r\n\r\n(none) login: '
        while greet:
            conn.sendall(prompt)
            user = line()
            if user is None:
                return
            if not user:
                continue
            conn.sendall(b'Password: ')
            if line() == password and user == 'rescue':
                break
            conn.sendall(b'\r\nLogin incorrect\r\n')
            prompt = b'\r\n(none) login: \r\n(none) login: '
        conn.sendall(b'Linux (none) 6.1.0\r\nrescue@(none):~$ ')
        command = line()
        if command and 'WHOAMI' in command:
            conn.sendall(('\r\nWHOAMI user=rescue arch=%s END\r\n'
                          'rescue@(none):~$ ' % arch).encode())
        line()


@pytest.fixture
def getty(monkeypatch):
    monkeypatch.setattr(console, 'POKE_AFTER', 0.5)
    monkeypatch.setattr(console, 'SETTLE', 0.3)
    # A short directory: a socket address holds 108 bytes.
    path = os.path.join(tempfile.mkdtemp(prefix='console-'), 'sock')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(1)
    threads = []

    def serve(password='s3cret', arch='aarch64', greet=True):
        thread = threading.Thread(target=_getty, daemon=True,
                                  args=(sock, password, arch, greet))
        thread.start()
        threads.append(thread)
        return path

    yield serve
    sock.close()
    for thread in threads:
        thread.join(5)


def test_login_reports_the_shell_user_and_machine(getty):
    assert console.login(getty(arch='aarch64'), 'rescue', 's3cret',
                         timeout=10) == ('rescue', 'aarch64')


def test_wrong_password_refused_then_the_right_one_accepted(getty):
    assert console.login(getty(arch='x86_64'), 'rescue', 's3cret',
                         timeout=10, wrong_password='wrong') == (
        'rescue', 'x86_64')


def test_a_wrong_password_accepted_is_an_error(getty):
    with pytest.raises(console.ConsoleError, match='wrong password was '
                       'accepted'):
        console.login(getty(), 'rescue', 's3cret', timeout=10,
                      wrong_password='s3cret')


def test_login_raises_when_refused(getty):
    with pytest.raises(console.ConsoleError, match='login refused'):
        console.login(getty(), 'rescue', 'wrong', timeout=10)


def test_no_prompt_is_an_error_with_what_was_printed(getty):
    with pytest.raises(console.ConsoleError, match='rescue@'):
        console.login(getty(greet=False), 'rescue', 's3cret', timeout=2)
