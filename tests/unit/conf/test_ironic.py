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

"""Tests of :mod:`ironic_multiarch.conf.ironic`: Ironic's planning options."""

from oslo_config import cfg
from oslo_utils import netutils


from ironic_multiarch.conf import ironic
from ironic_multiarch import settings as settings_mod


def _mirror(text, tmp_path):
    path = tmp_path / 'ironic.conf'
    path.write_text(text)
    conf = cfg.ConfigOpts()
    ironic.register_mirror(conf)
    conf([], project='ironic', default_config_files=[str(path)])
    return conf


def test_mirror_defaults(tmp_path):
    options, values = ironic.read(_mirror('', tmp_path))
    assert dict(options.by_arch) == {
        '[%s]%s' % g: {} for g in ironic.BY_ARCH}
    assert dict(options.globals) == {
        '[conductor]deploy_kernel': None, '[conductor]deploy_ramdisk': None,
        '[conductor]rescue_kernel': None, '[conductor]rescue_ramdisk': None,
        '[pxe]kernel_append_params': 'nofb vga=normal',
        '[pxe]pxe_bootfile_name': 'pxelinux.0',
        '[pxe]uefi_pxe_bootfile_name': 'bootx64.efi',
        '[pxe]ipxe_bootfile_name': 'undionly.kpxe',
        '[pxe]uefi_ipxe_bootfile_name': 'snponly.efi'}
    assert dict(options.loader_file_paths) == {}
    assert (options.config_subdir, options.ipxe_timeout,
            options.ipxe_script, options.file_permission,
            options.dir_permission) == ('pxelinux.cfg', 0, 'boot.ipxe',
                                        0o644, None)
    # [pxe]tftp_server defaults to $my_ip, which defaults to this host's
    # address, as in Ironic.
    assert values == {
        'pxe/tftp_server': netutils.get_my_ipv4(),
        'pxe/tftp_root': '/tftpboot',
        'deploy/http_url': None, 'deploy/http_root': '/httpboot',
        'deploy/default_boot_mode': 'uefi',
        'service_catalog/endpoint_override': None, 'DEFAULT/my_ipv6': None,
        'DEFAULT/debug': False}


def test_mirror_reads_conductor_config(tmp_path):
    conf = _mirror(
        '[DEFAULT]\nmy_ip = 192.0.2.5\nmy_ipv6 = 2001:db8::5\n'
        'debug = true\n'
        '[conductor]\ndeploy_kernel = http://x86/k\n'
        'deploy_kernel_by_arch = aarch64:http://arm/k,ppc64le:http://p/k\n'
        '[pxe]\npxe_bootfile_name_by_arch = aarch64:grubaa64.efi\n'
        'loader_file_paths = snponly.efi:/usr/share/ipxe/snponly.efi\n'
        '[deploy]\nhttp_url = http://192.0.2.5:8080\n', tmp_path)
    options, values = ironic.read(conf)
    assert options.by_arch['[conductor]deploy_kernel_by_arch'] == {
        'aarch64': 'http://arm/k', 'ppc64le': 'http://p/k'}
    assert options.by_arch['[pxe]pxe_bootfile_name_by_arch'] == {
        'aarch64': 'grubaa64.efi'}
    assert options.globals['[conductor]deploy_kernel'] == 'http://x86/k'
    assert options.loader_file_paths == {
        'snponly.efi': '/usr/share/ipxe/snponly.efi'}
    assert values['pxe/tftp_server'] == '192.0.2.5'
    assert values['DEFAULT/my_ipv6'] == '2001:db8::5'
    assert values['deploy/http_url'] == 'http://192.0.2.5:8080'
    assert values['DEFAULT/debug'] is True
    assert options.debug is True
    assert isinstance(options, settings_mod.IronicOptions)


def test_read_skips_options_a_release_lacks():
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt('deploy_kernel', default='http://k'),
                      group='conductor')
    conf([], project='x', default_config_files=[])
    options, values = ironic.read(conf)
    assert options.globals['[conductor]deploy_kernel'] == 'http://k'
    assert options.globals['[pxe]kernel_append_params'] is None
    assert options.by_arch['[conductor]deploy_kernel_by_arch'] == {}
    assert values['pxe/tftp_server'] is None
    assert values['DEFAULT/debug'] is False
