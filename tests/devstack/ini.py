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

"""iniget/iniset for the devstack stand-in, line based like devstack's.

    python ini.py get FILE SECTION OPTION
    python ini.py set FILE SECTION OPTION VALUE

``set`` replaces the option's line in its section, adds it after the
section header, or adds the section at the end; other lines stay as they are.
"""

import re
import sys


def _section_of(lines, section):
    """Return (header index, end index) of a section, or (None, None)."""
    start = None
    for i, line in enumerate(lines):
        match = re.match(r'\s*\[([^]]+)\]', line)
        if match and start is not None:
            return start, i
        if match and match.group(1) == section:
            start = i
    return start, len(lines) if start is not None else None


def _option_line(lines, start, end, option):
    for i in range(start + 1, end):
        if re.match(r'\s*%s\s*=' % re.escape(option), lines[i]):
            return i
    return None


def get(path, section, option):
    with open(path) as f:
        lines = f.read().splitlines()
    start, end = _section_of(lines, section)
    if start is None:
        return ''
    i = _option_line(lines, start, end, option)
    return '' if i is None else lines[i].split('=', 1)[1].strip()


def set_(path, section, option, value):
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    start, end = _section_of(lines, section)
    line = '%s = %s' % (option, value)
    if start is None:
        lines += ['[%s]' % section, line]
    else:
        i = _option_line(lines, start, end, option)
        if i is None:
            lines.insert(start + 1, line)
        else:
            lines[i] = line
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    if sys.argv[1] == 'get':
        print(get(*sys.argv[2:5]))
    else:
        set_(*sys.argv[2:6])
