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

"""The built-in architecture profiles honour the boot-protocol facts."""

import pytest

from ironic_multiarch.profiles import base
from tests.unit import fakes

PROFILES = fakes.profiles()


def test_x86_64():
    profile = PROFILES['x86_64']
    assert profile.console == 'console=ttyS0,115200n8'
    assert profile.kernel_append_params is None
    assert profile.boot_modes == ('uefi', 'bios')
    uefi, bios = profile.method('uefi'), profile.method('bios')
    assert uefi.client_arch == (0x07, 0x09)
    assert uefi.http_client_arch == (0x10,)
    assert uefi.loader_names == ('grub', 'shim')
    assert bios.client_arch == (0x00,)
    assert bios.loader_names == ('pxelinux',)
    assert bios.ipxe_loader.bootfile == 'undionly.kpxe'
    assert set(profile.loader_paths) == {
        f for m in profile.methods for ld in m.loaders + (m.ipxe_loader,)
        for f in ld.files}


def test_aarch64_has_no_bios_and_no_0x0d():
    profile = PROFILES['aarch64']
    assert profile.console == 'console=ttyAMA0,115200'
    assert profile.boot_modes == ('uefi',)
    assert profile.method_for('bios') is None
    uefi = profile.method_for('uefi')
    assert uefi.client_arch == (0x0b,)
    assert uefi.http_client_arch == (0x13,)
    assert 0x0d not in uefi.client_arch + uefi.http_client_arch
    shim = uefi.loader('shim')
    assert (shim.bootfile, shim.files) == ('bootaa64.efi',
                                           ('bootaa64.efi', 'grubaa64.efi'))
    assert {ld.config_format for ld in uefi.loaders} == {base.GRUB}


def test_ppc64le_petitboot_for_both_modes():
    profile = PROFILES['ppc64le']
    assert profile.console == 'console=hvc0'
    assert profile.method_for('uefi') is profile.method_for('bios')
    opal = profile.method('opal')
    assert opal.client_arch == (0x0e,)
    assert opal.ipxe_loader is None
    assert opal.loader() == base.Loader('petitboot', None, (), base.PETITBOOT)
    assert profile.ironic_arch_keys == ('ppc64le', 'ppc64el')


@pytest.mark.parametrize('name', sorted(PROFILES))
def test_profile_contract(name):
    profile = PROFILES[name]
    assert profile.name == name
    assert profile.ironic_arch_keys[0] == name
    for method in profile.methods:
        assert method.loaders, method
        assert method.loader() is method.loaders[0]
        for loader in method.loaders + ((method.ipxe_loader,)
                                        if method.ipxe_loader else ()):
            assert loader.config_format in base.FORMATS
            assert loader.files[:1] == ((loader.bootfile,)
                                        if loader.bootfile else ())
    assert profile.describe()['name'] == name
    assert profile.describe()['methods'] == tuple(
        m.name for m in profile.methods)


def test_method_lookups_raise_keyerror():
    profile = PROFILES['aarch64']
    with pytest.raises(KeyError):
        profile.method('bios')
    with pytest.raises(KeyError):
        profile.method('uefi').loader('pxelinux')


def test_arch_profile_is_abstract():
    with pytest.raises(TypeError):
        base.ArchProfile()


def test_ipxe_is_not_a_pxe_loader_choice():
    """iPXE comes with the multiarch-ipxe interface, never via loaders."""
    uefi = PROFILES['x86_64'].method('uefi')
    with pytest.raises(KeyError):
        uefi.loader('ipxe')
    assert uefi.ipxe_loader.name == 'ipxe'
