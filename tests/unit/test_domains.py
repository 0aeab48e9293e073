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


"""The lab's libvirt domain XML (multiarch_lab.domains.domain_xml)."""

import os
import xml.etree.ElementTree as ET

import pytest

from multiarch_lab import domains

MAC = '52:54:00:aa:bb:cc'
UUID = '6f1c1f4e-7d0a-4a39-9f0c-3f1d2b8a9e01'


def _xml(arch='x86_64', firmware='uefi', http_boot=False, **kwargs):
    domain = domains.Domain(
        'm1', UUID, arch, firmware, MAC, serial_log='/w/m1-serial.log',
        disk='/w/m1.qcow2', http_boot=http_boot,
        nvram='/w/m1.nosecboot.fd' if firmware == 'uefi' else None)
    return ET.fromstring(domains.domain_xml(domain, **kwargs))


def test_x86_64_uefi():
    root = _xml()
    assert root.get('type') == 'qemu'
    assert root.findtext('name') == 'm1'
    assert root.findtext('uuid') == UUID
    assert root.find('memory').get('unit') == 'MiB'
    assert root.findtext('memory') == '1024'
    assert root.findtext('vcpu') == '1'
    os_type = root.find('os/type')
    assert (os_type.get('arch'), os_type.get('machine'), os_type.text) == (
        'x86_64', 'q35', 'hvm')
    loader = root.find('os/loader')
    assert loader.text == '/usr/share/OVMF/OVMF_CODE_4M.fd'
    assert (loader.get('readonly'), loader.get('type')) == ('yes', 'pflash')
    nvram = root.find('os/nvram')
    assert nvram.get('template') == '/usr/share/OVMF/OVMF_VARS_4M.fd'
    assert nvram.text == '/w/m1.nosecboot.fd'
    assert root.find('features/smm').get('state') == 'off'
    assert root.find('features/acpi') is not None
    assert root.find('features/gic') is None
    assert root.find('cpu') is None
    assert root.findtext('on_poweroff') == 'destroy'


def test_aarch64_uefi():
    root = _xml('aarch64')
    os_type = root.find('os/type')
    assert (os_type.get('arch'), os_type.get('machine')) == (
        'aarch64', 'virt')
    assert root.findtext('os/loader') == '/usr/share/AAVMF/AAVMF_CODE.fd'
    assert root.find('os/nvram').get('template') == (
        '/usr/share/AAVMF/AAVMF_VARS.fd')
    assert root.find('os').get('firmware') is None
    assert root.find('features/gic').get('version') == '3'
    assert root.findtext('cpu/model') == 'cortex-a57'
    scsi = root.find('devices/controller')
    assert (scsi.get('type'), scsi.get('model')) == ('scsi', 'virtio-scsi')


def test_loader_override():
    root = _xml(loader='/x/CODE.fd', nvram_template='/x/VARS.fd')
    assert root.findtext('os/loader') == '/x/CODE.fd'
    assert root.find('os/nvram').get('template') == '/x/VARS.fd'


def test_nic_disk_rng():
    root = _xml(bridge='br7')
    nic = root.find('devices/interface')
    assert nic.get('type') == 'bridge'
    assert nic.find('source').get('bridge') == 'br7'
    assert nic.find('mac').get('address') == MAC
    assert nic.find('model').get('type') == 'virtio'
    disk = root.find('devices/disk')
    assert disk.find('source').get('file') == '/w/m1.qcow2'
    assert disk.find('target').get('bus') == 'virtio'
    assert disk.find('driver').get('type') == 'qcow2'
    assert root.find('devices/rng').get('model') == 'virtio'


def test_serial_appended_to_a_file():
    root = _xml('aarch64')
    for tag in ('serial', 'console'):
        element = root.find('devices/' + tag)
        assert element.get('type') == 'file'
        source = element.find('source')
        assert source.get('path') == '/w/m1-serial.log'
        assert source.get('append') == 'on'
    assert root.find('devices/console/target').get('type') == 'serial'


def test_console_socket_takes_input_and_logs_to_the_file():
    domain = domains.Domain('m1', UUID, 'x86_64', 'uefi', MAC,
                            serial_log='/w/m1-serial.log', disk='/w/m1.qcow2',
                            nvram='/w/m1.fd', console_socket='/w/m1.console')
    root = ET.fromstring(domains.domain_xml(domain))
    for tag in ('serial', 'console'):
        element = root.find('devices/' + tag)
        assert element.get('type') == 'unix'
        assert element.find('source').attrib == {'mode': 'bind',
                                                 'path': '/w/m1.console'}
        assert element.find('log').attrib == {'file': '/w/m1-serial.log',
                                              'append': 'on'}
        assert element.find('target').get('port') == '0'
    assert root.find('devices/console/target').get('type') == 'serial'


def test_console_socket_path_fits_a_socket_address(tmp_path):
    short = domains.console_socket_path(str(tmp_path), 'x86-node')
    assert short == str(tmp_path / 'x86-node.console')
    deep = tmp_path / ('d' * 120)
    path = domains.console_socket_path(str(deep), 'x86-node')
    assert len(path.encode()) < 108
    assert path.endswith('/x86-node.console')
    assert os.path.isdir(os.path.dirname(path))


@pytest.mark.parametrize('arch', ['x86_64', 'aarch64'])
def test_fw_cfg_only_with_http_boot(arch):
    assert _xml(arch).find('sysinfo') is None
    sysinfo = _xml(arch, http_boot=True).find('sysinfo')
    assert sysinfo.get('type') == 'fwcfg'
    assert {e.get('name'): e.text for e in sysinfo.findall('entry')} == {
        'opt/org.tianocore/IPv4PXESupport': 'n',
        'opt/org.tianocore/IPv6PXESupport': 'n'}


def test_bios_has_no_loader():
    root = _xml(firmware='bios')
    assert root.find('os/loader') is None
    assert root.find('os/nvram') is None
    assert root.find('os/type').get('machine') == 'q35'


@pytest.mark.parametrize('arch,firmware,http_boot', [
    ('aarch64', 'bios', False), ('x86_64', 'bios', True),
    ('ppc64le', 'uefi', False), ('x86_64', 'efi', False)])
def test_unsupported(arch, firmware, http_boot):
    with pytest.raises(ValueError):
        _xml(arch, firmware, http_boot)


def test_boot_order_and_description():
    root = _xml(boot=('hd',))
    assert [b.get('dev') for b in root.findall('os/boot')] == ['hd']
    assert root.findtext('description') == domains.DESCRIPTION
