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

"""Ironic's own [pxe] options that multiarch interfaces honour as stock does.

Expected values are Ironic's behaviour, written out by hand:
``deploy_utils.get_pxe_boot_file``/``get_ipxe_boot_file`` (composite
``<arch>-<boot_mode>`` key, then the arch key, then the single option of
the boot mode), ``boot_mode_utils.is_secure_boot_requested``,
``pxe_utils.create_ipxe_boot_script`` and ``_link_mac_pxe_configs``
(``[pxe]pxe_config_subdir``), ``ipxe_config.template``
(``[pxe]ipxe_timeout`` * 1000) and ``ensure_tree``/``write_to_file``
(``[pxe]dir_permission``/``file_permission``).
"""

import importlib.resources
import os
import stat

import pytest

from ironic_multiarch import exception
from ironic_multiarch import facts
from ironic_multiarch import plan
from ironic_multiarch import precedence as prec
from ironic_multiarch import render
from ironic_multiarch import tree
from tests.unit import fakes

PXE_BY_ARCH = '[pxe]pxe_bootfile_name_by_arch'
IPXE_BY_ARCH = '[pxe]ipxe_bootfile_name_by_arch'
#: Ironic's defaults of its single bootfile options.
STOCK_BOOTFILES = {'[pxe]pxe_bootfile_name': 'pxelinux.0',
                   '[pxe]uefi_pxe_bootfile_name': 'bootx64.efi',
                   '[pxe]ipxe_bootfile_name': 'undionly.kpxe',
                   '[pxe]uefi_ipxe_bootfile_name': 'snponly.efi'}


def _settings(by_arch=None, globals_=None, **kwargs):
    return fakes.make_settings(ironic={'by_arch': by_arch or {},
                                       'globals': globals_ or {}}, **kwargs)


# -- 1. stock bootfile options and Secure Boot ---------------------------

def test_item1_composite_by_arch_key_beats_arch_key():
    settings = _settings({PXE_BY_ARCH: {'aarch64-uefi': 'shimaa64.efi',
                                        'aarch64': 'grubaa64.efi'}})
    result = fakes.make_plan(settings, cpu_arch='aarch64')
    assert result.loader == prec.Chosen(
        'grub', '[pxe]pxe_bootfile_name_by_arch[aarch64-uefi]',
        prec.IRONIC_BY_ARCH)
    assert result.bootfile == 'multiarch/aarch64/shimaa64.efi'
    # the name stands for GRUB renamed (no Secure Boot): no root link
    assert [f.name for f in result.loader_files] == [
        'shimaa64.efi', 'grubaa64.efi']


def test_item1_composite_key_of_other_boot_mode_ignored():
    settings = _settings({PXE_BY_ARCH: {'x86_64-bios': 'lpxelinux.0',
                                        'x86_64': 'bootx64.efi'}})
    result = fakes.make_plan(settings, cpu_arch='x86_64', boot_mode='uefi')
    assert result.loader == prec.Chosen(
        'shim', '[pxe]pxe_bootfile_name_by_arch[x86_64]',
        prec.IRONIC_BY_ARCH)
    assert result.bootfile == 'multiarch/x86_64/bootx64.efi'
    bios = fakes.make_plan(settings, cpu_arch='x86_64', boot_mode='bios')
    assert bios.loader.source == (
        '[pxe]pxe_bootfile_name_by_arch[x86_64-bios]')
    assert bios.bootfile == 'multiarch/x86_64/lpxelinux.0'


def test_item1_global_bootfile_options_only_for_global_options_arch():
    settings = _settings(globals_=STOCK_BOOTFILES,
                         global_options_arch='x86_64')
    uefi = fakes.make_plan(settings, cpu_arch='x86_64', boot_mode='uefi')
    # Ironic's default [pxe]uefi_pxe_bootfile_name is shim: stock x86_64
    # UEFI nodes boot bootx64.efi, which loads grubx64.efi beside it.
    assert uefi.loader == prec.Chosen(
        'shim', '[pxe]uefi_pxe_bootfile_name', prec.IRONIC_GLOBAL)
    assert uefi.bootfile == 'multiarch/x86_64/bootx64.efi'
    assert [f.name for f in uefi.loader_files] == [
        'bootx64.efi', 'grubx64.efi', 'grubx64.efi']  # the root link last
    bios = fakes.make_plan(settings, cpu_arch='x86_64', boot_mode='bios')
    assert bios.loader == prec.Chosen(
        'pxelinux', '[pxe]pxe_bootfile_name', prec.IRONIC_GLOBAL)
    arm = fakes.make_plan(settings, cpu_arch='aarch64')
    assert arm.loader == prec.Chosen('grub', 'profile aarch64',
                                     prec.PROFILE)
    assert arm.bootfile == 'multiarch/aarch64/grubaa64.efi'
    unset = fakes.make_plan(_settings(globals_=STOCK_BOOTFILES,
                                      global_options_arch=None),
                            cpu_arch='x86_64')
    assert unset.loader == prec.Chosen('grub', 'profile x86_64',
                                       prec.PROFILE)


def test_item1_by_arch_beats_global_bootfile_option():
    settings = _settings({PXE_BY_ARCH: {'x86_64': 'grubx64.efi'}},
                         STOCK_BOOTFILES, global_options_arch='x86_64')
    result = fakes.make_plan(settings, cpu_arch='x86_64')
    assert result.loader == prec.Chosen(
        'grub', '[pxe]pxe_bootfile_name_by_arch[x86_64]',
        prec.IRONIC_BY_ARCH)


@pytest.mark.parametrize('arch,bootfile,files', [
    ('x86_64', 'multiarch/x86_64/bootx64.efi',
     ['bootx64.efi', 'grubx64.efi', 'grubx64.efi']),
    ('aarch64', 'multiarch/aarch64/bootaa64.efi',
     ['bootaa64.efi', 'grubaa64.efi', 'grubaa64.efi']),
])
def test_item1_secure_boot_gets_shim(arch, bootfile, files):
    result = fakes.make_plan(cpu_arch=arch, secure_boot=True)
    assert result.loader == prec.Chosen(
        'shim', 'instance_info/capabilities secure_boot', prec.NODE)
    assert result.bootfile == bootfile
    assert [f.name for f in result.loader_files] == files
    assert result.config_format == 'grub'


def test_item1_secure_boot_beats_a_grub_loader_choice():
    settings = fakes.make_settings(arch={'aarch64': {
        'loaders': {'uefi': 'grub'}}})
    result = fakes.make_plan(settings, cpu_arch='aarch64', secure_boot=True)
    assert result.loader == prec.Chosen(
        'shim', 'instance_info/capabilities secure_boot', prec.NODE)
    assert result.bootfile == 'multiarch/aarch64/bootaa64.efi'


def test_item1_secure_boot_keeps_an_operators_renamed_shim():
    settings = _settings({PXE_BY_ARCH: {'aarch64': 'shimaa64.efi'}})
    result = fakes.make_plan(settings, cpu_arch='aarch64', secure_boot=True)
    assert result.loader == prec.Chosen(
        'shim', '[pxe]pxe_bootfile_name_by_arch[aarch64]',
        prec.IRONIC_BY_ARCH)
    assert result.bootfile == 'multiarch/aarch64/shimaa64.efi'
    assert [f.name for f in result.loader_files] == [
        'shimaa64.efi', 'grubaa64.efi', 'grubaa64.efi']  # the root link last


def test_item1_secure_boot_without_shim_refused():
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(cpu_arch='ppc64le', secure_boot=True, name='p9-01')
    message = str(exc.value)
    assert 'p9-01' in message
    assert 'ppc64le' in message
    assert 'Secure Boot' in message
    assert 'secure_boot' in message


def test_item1_secure_boot_fact_is_what_ironic_reads():
    node = {'uuid': fakes.UUID, 'properties': {'cpu_arch': 'aarch64'}}
    asked = dict(node, instance_info={
        'capabilities': '{"secure_boot": "true"}'})
    assert facts.node_facts(asked, []).secure_boot is True
    asked_dict = dict(node, instance_info={
        'capabilities': {'secure_boot': 'True'}})
    assert facts.node_facts(asked_dict, []).secure_boot is True
    # the node's own capability says what the hardware can do
    able = dict(node, properties={'cpu_arch': 'aarch64',
                                  'capabilities': 'secure_boot:true'})
    assert facts.node_facts(able, []).secure_boot is False
    assert facts.node_facts(node, []).secure_boot is False


def test_item1_loader_inventory_has_the_shims():
    names = [f.path for f in plan.loader_inventory(fakes.make_settings(),
                                                   fakes.profiles())]
    assert 'multiarch/x86_64/bootx64.efi' in names
    assert 'multiarch/aarch64/bootaa64.efi' in names


# -- 2. [pxe]ipxe_bootfile_name_by_arch ----------------------------------

def test_item2_ipxe_bootfile_name_by_arch_used():
    settings = _settings({IPXE_BY_ARCH: {'aarch64': 'ipxe_aa64.efi'},
                          PXE_BY_ARCH: {'aarch64': 'grubaa64.efi'}})
    result = fakes.make_plan(settings, cpu_arch='aarch64', ipxe=True)
    assert result.loader == prec.Chosen(
        'ipxe', '[pxe]ipxe_bootfile_name_by_arch[aarch64]',
        prec.IRONIC_BY_ARCH)
    assert result.bootfile == 'multiarch/aarch64/ipxe_aa64.efi'
    assert [f.name for f in result.loader_files] == ['ipxe_aa64.efi']
    assert dict(result.dhcp_options[0]) == {
        'opt_name': 'tag:!ipxe,67',
        'opt_value': 'multiarch/aarch64/ipxe_aa64.efi', 'ip_version': 4}
    assert result.config_format == 'ipxe'


def test_item2_ipxe_composite_key_and_global_options():
    settings = _settings({IPXE_BY_ARCH: {'x86_64-bios': 'ipxe.pxe'}},
                         STOCK_BOOTFILES, global_options_arch='x86_64')
    bios = fakes.make_plan(settings, boot_mode='bios', ipxe=True)
    assert bios.loader.source == '[pxe]ipxe_bootfile_name_by_arch[x86_64-bios]'
    assert bios.bootfile == 'multiarch/x86_64/ipxe.pxe'
    uefi = fakes.make_plan(settings, boot_mode='uefi', ipxe=True)
    assert uefi.loader == prec.Chosen(
        'ipxe', '[pxe]uefi_ipxe_bootfile_name', prec.IRONIC_GLOBAL)
    assert uefi.bootfile == 'multiarch/x86_64/snponly.efi'
    # the PXE table never names an iPXE interface's loader
    pxe_only = _settings({PXE_BY_ARCH: {'aarch64': 'grubnetaa64.efi'}})
    assert fakes.make_plan(pxe_only, cpu_arch='aarch64',
                           ipxe=True).bootfile == (
        'multiarch/aarch64/snponly.efi')


# -- 3. Ironic's boot.ipxe and [pxe]ipxe_timeout -------------------------

def test_item3_no_own_boot_ipxe_and_links_where_ironic_chains():
    templates = importlib.resources.files('ironic_multiarch.templates')
    assert not templates.joinpath('boot.ipxe.j2').is_file()
    assert not hasattr(render, 'shared_files')
    # Ironic's boot.ipxe: chain pxelinux.cfg/${mac:hexhyp} (relative to
    # its own URL in the HTTP root)
    result = fakes.make_plan(ipxe=True)
    assert result.config_root == 'http'
    assert result.links == ('pxelinux.cfg/52-54-00-12-34-56',)
    assert dict(result.dhcp_options[1]) == {
        'opt_name': 'tag:ipxe,67',
        'opt_value': 'http://192.0.2.10:8080/boot.ipxe', 'ip_version': 4}


def test_item3_ipxe_script_named_after_ipxe_boot_script():
    settings = fakes.make_settings(ironic={'ipxe_script': 'custom.ipxe'})
    result = fakes.make_plan(settings, ipxe=True)
    assert result.dhcp_options[1]['opt_value'] == (
        'http://192.0.2.10:8080/custom.ipxe')


def test_item3_ipxe_timeout():
    default = fakes.make_plan(ipxe=True).config_text
    assert ('kernel http://192.0.2.10:8080/%s/deploy_kernel selinux=0 '
            'troubleshoot=0 text' % fakes.UUID) in default
    assert ('initrd --name ramdisk http://192.0.2.10:8080/%s/deploy_ramdisk'
            % fakes.UUID) in default
    assert '--timeout' not in default
    settings = fakes.make_settings(ironic={'ipxe_timeout': 45})
    text = fakes.make_plan(settings, ipxe=True).config_text
    assert ('kernel --timeout 45000 http://192.0.2.10:8080/%s/deploy_kernel'
            % fakes.UUID) in text
    assert ('initrd --name ramdisk --timeout 45000 '
            'http://192.0.2.10:8080/%s/deploy_ramdisk' % fakes.UUID) in text


# -- 4. the master grub.cfg is Ironic's ----------------------------------

def test_item4_no_own_master_grub_cfg_and_ironics_grub_names():
    templates = importlib.resources.files('ironic_multiarch.templates')
    assert not templates.joinpath('grub-master.cfg.j2').is_file()
    # Ironic's initial grub.cfg sources <tftp_root>/$net_default_mac.conf;
    # its GRUB nodes' links are <mac>.conf and grub.cfg-01-<mac> in the
    # TFTP root: the same names for multiarch GRUB nodes.
    result = fakes.make_plan(cpu_arch='aarch64')
    assert result.config_root == 'tftp'
    assert result.links == ('grub.cfg-01-52-54-00-12-34-56',
                            '52:54:00:12:34:56.conf')


# -- 5. [pxe]pxe_config_subdir, dir_permission, file_permission ----------

def test_item5_pxe_config_subdir():
    settings = fakes.make_settings(ironic={'config_subdir': 'ipxe.d'})
    ipxe = fakes.make_plan(settings, ipxe=True)
    assert ipxe.links == ('ipxe.d/52-54-00-12-34-56',)
    assert ('http', 'pxelinux.cfg/52-54-00-12-34-56') in ipxe.stale_links
    bios = fakes.make_plan(settings, boot_mode='bios')
    assert bios.links == ('multiarch/x86_64/ipxe.d/01-52-54-00-12-34-56',)
    # petitboot probes pxelinux.cfg/ whatever the option says
    power = fakes.make_plan(settings, cpu_arch='ppc64le')
    assert power.links == ('pxelinux.cfg/01-52-54-00-12-34-56',)


def test_item5_remove_node_with_pxe_config_subdir(tmp_path):
    roots = {'tftp': str(tmp_path / 'tftp'), 'http': str(tmp_path / 'http')}
    settings = fakes.make_settings(ironic={'config_subdir': 'ipxe.d'})
    tree.write_plan(roots, fakes.make_plan(settings, ipxe=True))
    link = tmp_path / 'http' / 'ipxe.d' / '52-54-00-12-34-56'
    assert os.readlink(link) == '../%s/config' % fakes.UUID
    tree.remove_node(roots, fakes.UUID, [fakes.MAC],
                     config_subdir='ipxe.d')
    assert not os.path.lexists(link)
    assert not (tmp_path / 'http' / fakes.UUID).exists()


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_item5_file_and_dir_permission(tmp_path, umask_022):
    roots = {'tftp': str(tmp_path / 'tftp'), 'http': str(tmp_path / 'http')}
    result = fakes.make_plan(boot_mode='bios')
    tree.write_plan(roots, result, file_mode=0o640, dir_mode=0o750)
    tftp = tmp_path / 'tftp'
    assert _mode(tftp / fakes.UUID / 'config') == 0o640
    assert _mode(tftp / fakes.UUID) == 0o750
    assert _mode(tftp / 'multiarch' / 'x86_64' / 'pxelinux.cfg') == 0o750


def test_item5_permission_defaults_are_ironics(tmp_path, umask_022):
    roots = {'tftp': str(tmp_path / 'tftp'), 'http': str(tmp_path / 'http')}
    tree.write_plan(roots, fakes.make_plan())
    assert _mode(tmp_path / 'tftp' / fakes.UUID / 'config') == 0o644
    assert _mode(tmp_path / 'tftp' / fakes.UUID) == 0o755
    # [pxe]file_permission unset: the umask decides, as with open()
    tree.write_file(roots['tftp'], 'x/y', 'text', mode=None)
    assert _mode(tmp_path / 'tftp' / 'x' / 'y') == 0o644


def test_item5_existing_directory_left_alone(tmp_path, umask_022):
    node_dir = tmp_path / 'tftp' / fakes.UUID
    node_dir.mkdir(parents=True, mode=0o700)
    os.chmod(node_dir, 0o700)
    tree.write_plan({'tftp': str(tmp_path / 'tftp')}, fakes.make_plan(),
                    dir_mode=0o755)
    assert _mode(node_dir) == 0o700


def test_item5_place_loaders_permissions(tmp_path, umask_022):
    source = tmp_path / 'grubaa64.efi.signed'
    source.write_bytes(b'grub')
    item = plan.LoaderFile('grubaa64.efi', 'multiarch/aarch64/grubaa64.efi',
                           prec.Chosen(str(source), 'test', prec.PROFILE))
    roots = {'tftp': str(tmp_path / 'tftp')}
    assert tree.place_loaders(roots, [item], file_mode=0o600,
                              dir_mode=0o711) == []
    placed = tmp_path / 'tftp' / 'multiarch' / 'aarch64' / 'grubaa64.efi'
    assert placed.read_bytes() == b'grub'
    assert _mode(placed) == 0o600
    assert _mode(placed.parent) == 0o711


def test_item5_ironic_values_read(tmp_path):
    from oslo_config import cfg

    from ironic_multiarch.conf import ironic as ironic_conf
    conf = cfg.ConfigOpts()
    ironic_conf.register_mirror(conf)
    path = tmp_path / 'ironic.conf'
    path.write_text('[pxe]\npxe_config_subdir = ipxe.d\nipxe_timeout = 30\n'
                    'file_permission = 416\ndir_permission = 488\n'
                    'ipxe_boot_script = /etc/ironic/site.ipxe\n'
                    'uefi_pxe_bootfile_name = shimx64.efi\n')
    conf(['--config-file', str(path)], project='ironic')
    options, _ = ironic_conf.read(conf)
    assert options.config_subdir == 'ipxe.d'
    assert options.ipxe_timeout == 30
    assert options.file_permission == 0o640
    assert options.dir_permission == 0o750
    assert options.ipxe_script == 'site.ipxe'
    assert options.globals['[pxe]uefi_pxe_bootfile_name'] == 'shimx64.efi'
    assert options.globals['[pxe]pxe_bootfile_name'] == 'pxelinux.0'
