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

"""README's command examples are the real output on README's ironic.conf.

The ini block between ``<!-- example-conf -->`` and
``<!-- /example-conf -->`` is written to ``ironic.conf`` in a temporary
directory, and every fenced block of README.md whose first line is
``$ ironic-multiarch ...`` is run there, in-process, one ``$`` line at a
time. The lines after a command are its output (stdout, then stderr);
``$ echo $?`` is followed by the previous command's exit status.

A line ``...`` alone marks an elision: the parts between elisions must
appear in the output in order, each one as consecutive lines; the first
part starts the output and, unless the block ends with ``...``, the last
part ends it.

``doctor`` is run as on a host where nothing is in place yet (no TFTP or
HTTP root, no loader file) and whose image server answers: its checks of
the file system and of the image URLs are faked, nothing else is.
"""

import io
import os
import pathlib
import re
import shlex
import types

import pytest

from ironic_multiarch.cmd import doctor
from ironic_multiarch.cmd import main

README = pathlib.Path(__file__).resolve().parents[2] / 'README.md'
ELISION = '...'
PROMPT = '$ '

#: the README examples that must exist (first words of their command)
REQUIRED = (
    'plan --config-file ironic.conf --arch arm64 --mac 52:54:00:12:34:56',
    'plan --config-file ironic.conf --arch aarch64 --boot-mode bios',
    'dnsmasq --config-file ironic.conf',
    'doctor --config-file ironic.conf',
)


def readme():
    return README.read_text()


def example_conf(text):
    """The ini block between the example-conf markers."""
    match = re.search(r'<!-- example-conf -->\n```ini\n(.*?)```\n'
                      r'<!-- /example-conf -->', text, re.S)
    assert match, 'README.md has no <!-- example-conf --> ini block'
    return match.group(1)


def example_blocks(text):
    """Fenced blocks whose first line runs ``ironic-multiarch``."""
    blocks = []
    for body in re.findall(r'^```[a-z]*\n(.*?)^```$', text, re.S | re.M):
        if body.startswith(PROMPT + 'ironic-multiarch '):
            blocks.append(body)
    return blocks


def commands(block):
    """Split a block into ``(command line, expected output lines)``."""
    steps = []
    for line in block.splitlines():
        if line.startswith(PROMPT):
            steps.append((line[len(PROMPT):], []))
        else:
            steps[-1][1].append(line)
    return steps


def matches(expected, actual):
    """Whether ``actual`` lines fit ``expected`` lines with elisions."""
    parts = [[]]
    for line in expected:
        if line == ELISION:
            parts.append([])
        else:
            parts[-1].append(line)
    open_end = expected[-1:] == [ELISION]
    if len(parts) == 1:
        return actual == parts[0]
    first, middle, last = parts[0], parts[1:-1], parts[-1]
    if actual[:len(first)] != first:
        return False
    pos = len(first)
    for part in middle + ([last] if open_end else []):
        pos = _find(actual, part, pos)
        if pos is None:
            return False
        pos += len(part)
    if open_end:
        return True
    tail = len(actual) - len(last)
    return tail >= pos and actual[tail:] == last


def _find(lines, part, start):
    for i in range(start, len(lines) - len(part) + 1):
        if lines[i:i + len(part)] == part:
            return i
    return None


class _NothingPlaced:
    """``os`` for ``doctor``: no directory and no file exists."""

    path = types.SimpleNamespace(
        isdir=lambda path: False, isfile=lambda path: False,
        join=os.path.join, samefile=os.path.samefile)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A directory holding README's ironic.conf, made current."""
    (tmp_path / 'ironic.conf').write_text(example_conf(readme()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(doctor, 'os', _NothingPlaced)
    import requests
    monkeypatch.setattr(
        requests, 'head',
        lambda url, **kw: types.SimpleNamespace(status_code=200))
    return tmp_path


def run(command):
    argv = shlex.split(command)
    assert argv[0] == 'ironic-multiarch', command
    out, err = io.StringIO(), io.StringIO()
    status = main.main(argv[1:], out=out, err=err)
    return status, (out.getvalue() + err.getvalue()).splitlines()


def test_matches_handles_elisions():
    out = ['a', 'b', 'c', 'd', 'e']
    assert matches(out, out)
    assert matches(['a', 'b', ELISION], out)
    assert matches(['a', ELISION, 'c', 'd', ELISION, 'e'], out)
    assert matches(['a', ELISION, 'e'], out)
    assert not matches(['a', 'b'], out)
    assert not matches(['b', ELISION], out)
    assert not matches(['a', ELISION, 'd', 'c', ELISION], out)
    assert not matches(['a', ELISION, 'd'], out)


def test_readme_has_every_example():
    found = [command for block in example_blocks(readme())
             for command, _ in commands(block)]
    for prefix in REQUIRED:
        assert any(c.startswith('ironic-multiarch ' + prefix)
                   for c in found), prefix


@pytest.mark.parametrize('block', example_blocks(readme()),
                         ids=lambda b: b.splitlines()[0][2:60])
def test_readme_example_is_real_output(workdir, block):
    status = None
    for command, expected in commands(block):
        if command == 'echo $?':
            assert expected == [str(status)], command
            continue
        status, actual = run(command)
        assert matches(expected, actual), (
            'README.md example drifted from the real output of\n  %s\n'
            'real output:\n%s' % (command, '\n'.join(actual)))
