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

"""Tests of :func:`ironic_multiarch.plan.plan`: every architecture, boot
mode and loader, the loader precedence, loader files and determinism."""

import dataclasses

import pytest

from ironic_multiarch import plan
from ironic_multiarch import precedence as prec
from tests.unit import fakes

D = 'multiarch/%s/%s'
PROFILE, GROUP, IFACE, BY_ARCH = (
    ('profile %s', prec.PROFILE),
    ('[multiarch_%s]loaders[{method}]', prec.ARCH_GROUP),
    ('boot interface multiarch-ipxe', prec.NODE),
    ('[pxe]pxe_bootfile_name_by_arch[%s]', prec.IRONIC_BY_ARCH))

# arch, boot mode, [multiarch_<arch>]loaders, ipxe interface ->
# method, loader, origin, bootfile, files, config format, config/image root
MATRIX = [
    ('x86_64', 'uefi', None, False, 'uefi', 'grub', PROFILE,
     'grubx64.efi', ('grubx64.efi',), 'grub', 'tftp', 'tftp'),
    ('x86_64', 'uefi', 'shim', False, 'uefi', 'shim', GROUP,
     'bootx64.efi', ('bootx64.efi', 'grubx64.efi'), 'grub', 'tftp', 'tftp'),
    ('x86_64', 'uefi', 'grub', False, 'uefi', 'grub', GROUP,
     'grubx64.efi', ('grubx64.efi',), 'grub', 'tftp', 'tftp'),
    ('x86_64', 'uefi', None, True, 'uefi', 'ipxe', IFACE,
     'snponly.efi', ('snponly.efi',), 'ipxe', 'http', 'http'),
    ('x86_64', 'uefi', 'shim', True, 'uefi', 'ipxe', IFACE,
     'snponly.efi', ('snponly.efi',), 'ipxe', 'http', 'http'),
    ('x86_64', 'bios', None, False, 'bios', 'pxelinux', PROFILE,
     'pxelinux.0', ('pxelinux.0', 'ldlinux.c32'), 'pxelinux', 'tftp',
     'tftp'),
    ('x86_64', 'bios', None, True, 'bios', 'ipxe', IFACE,
     'undionly.kpxe', ('undionly.kpxe',), 'ipxe', 'http', 'http'),
    ('aarch64', 'uefi', None, False, 'uefi', 'grub', PROFILE,
     'grubaa64.efi', ('grubaa64.efi',), 'grub', 'tftp', 'tftp'),
    ('aarch64', 'uefi', 'shim', False, 'uefi', 'shim', GROUP,
     'bootaa64.efi', ('bootaa64.efi', 'grubaa64.efi'), 'grub', 'tftp',
     'tftp'),
    ('aarch64', 'uefi', None, True, 'uefi', 'ipxe', IFACE,
     'snponly.efi', ('snponly.efi',), 'ipxe', 'http', 'http'),
    ('ppc64le', 'uefi', None, False, 'opal', 'petitboot', PROFILE,
     None, (), 'petitboot', 'tftp', 'tftp'),
    ('ppc64le', 'bios', None, False, 'opal', 'petitboot', PROFILE,
     None, (), 'petitboot', 'tftp', 'tftp'),
    ('ppc64le', None, None, False, 'opal', 'petitboot', PROFILE,
     None, (), 'petitboot', 'tftp', 'tftp'),
    ('ppc64le', 'uefi', None, True, 'opal', 'petitboot', PROFILE,
     None, (), 'petitboot', 'http', 'http'),
    ('ppc64le', 'bios', 'petitboot', True, 'opal', 'petitboot', GROUP,
     None, (), 'petitboot', 'http', 'http'),
]

#: (arch, loader) -> (root path, what it links to) of the root links.
ROOT_LINKS = {
    ('x86_64', 'shim'): (('grubx64.efi', 'multiarch/x86_64/grubx64.efi'),),
    ('aarch64', 'shim'): (('grubaa64.efi',
                           'multiarch/aarch64/grubaa64.efi'),),
}

#: Ironic's deploy entry per format: its fixed words around the append
#: parameters; only pxe_grub_config.template adds boot_server=.
DEPLOY_ARGS = {
    'grub': 'selinux=0 troubleshoot=0 text %s '
            'ipa-api-url=http://192.0.2.10:6385 boot_server=192.0.2.10',
    'ipxe': 'selinux=0 troubleshoot=0 text %s '
            'ipa-api-url=http://192.0.2.10:6385',
    'pxelinux': 'selinux=0 troubleshoot=0 text %s '
                'ipa-api-url=http://192.0.2.10:6385',
    'petitboot': 'selinux=0 troubleshoot=0 text %s '
                 'ipa-api-url=http://192.0.2.10:6385'}
CONSOLES = {'x86_64': 'console=ttyS0,115200n8',
            'aarch64': 'console=ttyAMA0,115200', 'ppc64le': 'console=hvc0'}


@pytest.mark.parametrize('arch,boot_mode,wanted,ipxe,method,loader,origin,'
                         'bootfile,files,fmt,config_root,image_root', MATRIX)
def test_matrix(arch, boot_mode, wanted, ipxe, method, loader, origin,
                bootfile, files, fmt, config_root, image_root):
    groups = {arch: {'loaders': {method: wanted}}} if wanted else {}
    result = fakes.make_plan(fakes.make_settings(arch=groups),
                             cpu_arch=arch, boot_mode=boot_mode, ipxe=ipxe)
    assert result.arch == arch
    assert result.boot_mode == (boot_mode or 'uefi')
    assert result.method == method
    source, level = origin
    source = source.replace('{method}', method)
    assert result.loader == prec.Chosen(
        loader, source % arch if '%s' in source else source, level)
    assert result.bootfile == (bootfile and D % (arch, bootfile))
    copied = [f for f in result.loader_files if f.link is None]
    assert tuple(f.name for f in copied) == files
    assert tuple(f.path for f in copied) == tuple(D % (arch, f) for f in files)
    # shim fetches its GRUB from the root: a link there, after the files
    assert tuple((f.path, f.link) for f in result.loader_files[len(copied):]
                 ) == ROOT_LINKS.get((arch, loader), ())
    assert result.config_format == fmt
    assert result.config_root == config_root
    assert result.image_root == image_root
    assert result.config_path == fakes.UUID + '/config'
    assert result.kernel.value == fakes.href(arch, 'deploy_kernel')
    assert result.kernel_path == fakes.UUID + '/deploy_kernel'
    assert result.ramdisk_path == fakes.UUID + '/deploy_ramdisk'
    assert result.console.value == CONSOLES[arch]
    assert result.kernel_params.value == DEPLOY_ARGS[fmt] % CONSOLES[arch]
    assert 'linuxefi' not in result.config_text
    assert result.config_text.endswith('\n')


@pytest.mark.parametrize('arch', ['x86_64', 'aarch64', 'ppc64le'])
@pytest.mark.parametrize('ipxe', [False, True])
def test_firmware_and_format_per_arch(arch, ipxe):
    result = fakes.make_plan(cpu_arch=arch, ipxe=ipxe)
    first_line = result.config_text.splitlines()[0]
    expected = {'grub': 'set default=deploy', 'ipxe': '#!ipxe',
                'petitboot': 'DEFAULT deploy'}[result.config_format]
    assert first_line == expected
    assert result.firmware == {'x86_64': 'UEFI', 'aarch64': 'UEFI',
                               'ppc64le': 'OPAL petitboot'}[arch]


def test_grub_over_http():
    settings = fakes.make_settings(grub_http=True)
    result = fakes.make_plan(settings, cpu_arch='aarch64')
    assert (result.config_root, result.image_root) == ('tftp', 'http')
    assert ('linux (http,192.0.2.10:8080)/%s/deploy_kernel' % fakes.UUID
            in result.config_text)
    bios = fakes.make_plan(settings, boot_mode='bios')
    assert bios.image_root == 'tftp'


@pytest.mark.parametrize('mode,label', [('deploy', 'deploy'),
                                        ('rescue', 'rescue')])
def test_rescue_uses_rescue_images(mode, label):
    result = fakes.make_plan(cpu_arch='aarch64', mode=mode)
    assert result.kernel.value == fakes.href('aarch64', '%s_kernel' % mode)
    assert result.ramdisk.value == fakes.href('aarch64', '%s_ramdisk' % mode)
    assert result.kernel_path == '%s/%s_kernel' % (fakes.UUID, mode)
    assert 'set default=%s' % label in result.config_text
    assert result.mode == mode


def test_links_and_stale_links():
    ports = (plan.Port(fakes.MAC), plan.Port(fakes.MAC2))
    result = fakes.make_plan(ports=ports, boot_mode='bios')
    # pxelinux (no option 210) looks for its config beside itself
    assert result.bootfile == 'multiarch/x86_64/pxelinux.0'
    assert result.links == (
        'multiarch/x86_64/pxelinux.cfg/01-52-54-00-12-34-56',
        'multiarch/x86_64/pxelinux.cfg/01-52-54-00-ab-cd-ef')
    assert ('tftp', 'grub.cfg-01-52-54-00-12-34-56') in result.stale_links
    assert ('tftp', 'pxelinux.cfg/01-52-54-00-12-34-56') in result.stale_links
    assert ('http', 'pxelinux.cfg/01-52-54-00-12-34-56') in result.stale_links
    assert not {('tftp', link) for link in result.links} & set(
        result.stale_links)
    assert len(set(result.stale_links)) == len(result.stale_links)


def test_mac_upper_case_normalised():
    result = fakes.make_plan(ports=(plan.Port('52:54:00:AB:CD:EF'),))
    assert result.links == ('grub.cfg-01-52-54-00-ab-cd-ef',
                            '52:54:00:ab:cd:ef.conf')


def test_client_id_port_links():
    cid = 'ff:00:00:00:00:00:02:00'
    result = fakes.make_plan(boot_mode='bios',
                             ports=(plan.Port(fakes.MAC, cid.upper()),))
    assert result.links == (
        'multiarch/x86_64/pxelinux.cfg/20-52-54-00-12-34-56',)
    assert ('tftp', 'multiarch/x86_64/pxelinux.cfg/01-52-54-00-12-34-56'
            ) in result.stale_links


# -- loader precedence --------------------------------------------------

BY_ARCH = '[pxe]pxe_bootfile_name_by_arch'


def _by_arch(table, **groups):
    return fakes.make_settings(arch=groups,
                               ironic={'by_arch': {BY_ARCH: table}})


def test_loader_from_pxe_bootfile_name_by_arch():
    result = fakes.make_plan(_by_arch({'aarch64': 'grubnetaa64.efi'}),
                             cpu_arch='aarch64')
    assert result.loader == prec.Chosen(
        'grub', BY_ARCH + '[aarch64]', prec.IRONIC_BY_ARCH)
    assert result.bootfile == D % ('aarch64', 'grubnetaa64.efi')
    assert result.config_format == 'grub'
    assert [f.name for f in result.loader_files] == ['grubnetaa64.efi',
                                                      'grubaa64.efi']
    assert result.dhcp_options[0]['opt_value'] == result.bootfile


def test_by_arch_naming_a_shim_keeps_grub_beside_it():
    """Shim loads grubaa64.efi from its own directory: it must be there."""
    result = fakes.make_plan(_by_arch({'arm64': 'bootaa64.efi'}),
                             cpu_arch='aarch64')
    assert result.loader == prec.Chosen('shim', BY_ARCH + '[arm64]',
                                        prec.IRONIC_BY_ARCH)
    assert [f.name for f in result.loader_files] == [
        'bootaa64.efi', 'grubaa64.efi', 'grubaa64.efi']  # the root link last
    renamed = fakes.make_plan(_by_arch({'aarch64': 'shimaa64.efi'}),
                              cpu_arch='aarch64')
    # the name stands for GRUB renamed (no Secure Boot): no root link
    assert [f.name for f in renamed.loader_files] == [
        'shimaa64.efi', 'grubaa64.efi']


def test_loaders_group_beats_by_arch_and_ipxe_beats_both():
    settings = _by_arch({'aarch64': 'grubnetaa64.efi'},
                        aarch64={'loaders': {'uefi': 'shim'}})
    result = fakes.make_plan(settings, cpu_arch='aarch64')
    assert result.loader == prec.Chosen(
        'shim', '[multiarch_aarch64]loaders[uefi]', prec.ARCH_GROUP)
    ipxe = fakes.make_plan(settings, cpu_arch='aarch64', ipxe=True)
    assert ipxe.loader.level == prec.NODE
    assert ipxe.loader.value == 'ipxe'


def test_by_arch_of_other_arch_ignored():
    result = fakes.make_plan(_by_arch({'aarch64': 'grubnetaa64.efi'}),
                             cpu_arch='x86_64')
    assert result.loader == prec.Chosen('grub', 'profile x86_64',
                                        prec.PROFILE)


def test_by_arch_ignored_for_petitboot():
    result = fakes.make_plan(_by_arch({'ppc64le': 'config'}),
                             cpu_arch='ppc64le')
    assert result.loader.level == prec.PROFILE
    assert result.bootfile is None


# -- loader file paths ---------------------------------------------------

def test_loader_paths_group_beats_profile():
    settings = fakes.make_settings(arch={'aarch64': {
        'loaders': {'uefi': 'shim'},
        'loader_paths': {'grubaa64.efi': '/srv/grubaa64.efi'}}})
    files = fakes.make_plan(settings, cpu_arch='aarch64').loader_files
    assert files[0].source == prec.Chosen(
        '/usr/lib/shim/shimaa64.efi.signed', 'profile aarch64', prec.PROFILE)
    assert files[1].source == prec.Chosen(
        '/srv/grubaa64.efi', '[multiarch_aarch64]loader_paths[grubaa64.efi]',
        prec.ARCH_GROUP)


def test_ironic_loader_file_paths_only_for_global_options_arch():
    ironic = {'loader_file_paths': {'snponly.efi': '/ironic/snponly.efi',
                                    'grubx64.efi': '/ironic/grubx64.efi'}}
    files = fakes.make_plan(fakes.make_settings(ironic=ironic),
                            cpu_arch='aarch64', ipxe=True).loader_files
    assert files[0].source is None
    settings = fakes.make_settings(ironic=ironic,
                                   global_options_arch='aarch64')
    files = fakes.make_plan(settings, cpu_arch='aarch64',
                            ipxe=True).loader_files
    assert files[0].source == prec.Chosen(
        '/ironic/snponly.efi', '[pxe]loader_file_paths[snponly.efi]',
        prec.IRONIC_GLOBAL)
    # an operator's explicit path wins over the profile's guess of where
    # a Debian-family host keeps the file
    files = fakes.make_plan(fakes.make_settings(
        ironic=ironic, global_options_arch='x86_64')).loader_files
    assert files[0].source == prec.Chosen(
        '/ironic/grubx64.efi', '[pxe]loader_file_paths[grubx64.efi]',
        prec.IRONIC_GLOBAL)


def test_loader_dir_setting():
    result = fakes.make_plan(fakes.make_settings(loader_dir='boot'),
                             cpu_arch='aarch64')
    assert result.bootfile == 'boot/aarch64/grubaa64.efi'
    assert result.loader_files[0].path == 'boot/aarch64/grubaa64.efi'


# -- determinism ------------------------------------------------------------

@pytest.mark.parametrize('arch,boot_mode,ipxe', [
    ('x86_64', 'uefi', False), ('x86_64', 'bios', False),
    ('x86_64', 'bios', True), ('aarch64', 'uefi', True),
    ('ppc64le', 'bios', False)])
def test_same_facts_same_plan(arch, boot_mode, ipxe):
    first = fakes.make_plan(cpu_arch=arch, boot_mode=boot_mode, ipxe=ipxe)
    again = plan.plan(dataclasses.replace(fakes.make_facts(
        cpu_arch=arch, boot_mode=boot_mode, ipxe=ipxe)),
        fakes.make_settings(), fakes.profiles())
    assert first == again
    assert first.as_dict() == again.as_dict()
    assert first.config_text.encode() == again.config_text.encode()


def test_alias_gives_same_plan_as_canonical_name():
    assert fakes.make_plan(cpu_arch='ARM64') == fakes.make_plan(
        cpu_arch='aarch64')


def test_plan_is_immutable():
    result = fakes.make_plan()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.config_text = 'x'
    with pytest.raises(TypeError):
        result.dhcp_options[0]['opt_value'] = 'x'


def test_as_dict_is_plain_data():
    data = fakes.make_plan(cpu_arch='aarch64').as_dict()
    assert data['loader'] == {'value': 'grub', 'source': 'profile aarch64',
                              'level': 'profile default'}
    assert data['loader_files'] == [{
        'name': 'grubaa64.efi', 'path': 'multiarch/aarch64/grubaa64.efi',
        'source': {'value':
                   '/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed',
                   'source': 'profile aarch64', 'level': 'profile default'},
        'link': None}]
    assert isinstance(data['links'], list)
    assert isinstance(data['dhcp_options'][0], dict)


def test_default_arch_used_when_no_cpu_arch():
    settings = fakes.make_settings(default_arch='aarch64')
    result = fakes.make_plan(settings, cpu_arch=None)
    assert result.arch == 'aarch64'
    assert plan.resolve_arch(fakes.make_facts(cpu_arch=''), settings,
                             fakes.profiles()) == prec.Chosen(
        'aarch64', '[multiarch]default_arch', prec.ARCH_GROUP)
    assert plan.resolve_arch(fakes.make_facts(cpu_arch='arm64'), settings,
                             fakes.profiles()) == prec.Chosen(
        'aarch64', 'node properties/cpu_arch', prec.NODE)


def test_arch_aliases_setting():
    settings = fakes.make_settings(aliases={'armv8': 'aarch64'})
    assert fakes.make_plan(settings, cpu_arch='ARMv8').arch == 'aarch64'
