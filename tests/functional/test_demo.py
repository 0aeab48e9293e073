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

"""The demo runs end to end and prints what each node boots."""

import pytest

from multiarch_lab import demo

pytestmark = pytest.mark.functional


def test_demo(tmp_path, capsys):
    assert demo.main(['--workdir', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'Validation of arm-bios' in out and '  boot: ' in out
    for expected in ('multiarch/x86_64/pxelinux.0',
                     'multiarch/aarch64/grubaa64.efi',
                     '(none: petitboot, 209)', 'ttyAMA0,115200', 'hvc0'):
        assert expected in out
    assert 'Done in' in out
