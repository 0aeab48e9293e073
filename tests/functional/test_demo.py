"""The demo runs end to end and prints what each node boots."""

import pytest

from ironic_multiarch.cmd import demo

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
