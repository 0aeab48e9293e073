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

"""One ``[multiarch_<arch>]`` group per installed architecture profile."""

from oslo_config import cfg


def group_name(arch):
    """Return the option group of an architecture."""
    return 'multiarch_%s' % arch


def opts(arch):
    """Return the options of an architecture's group.

    :param arch: canonical architecture name.
    """
    example = 'http://images.example.com/ipa-%s' % arch
    images = [
        cfg.StrOpt(role, help='%s for %s nodes (URL, file:// path or Glance '
                              'UUID). A node\'s driver_info/%s wins over '
                              'it. Example: %s.%s'
                              % (role.replace('_', ' ').capitalize(), arch,
                                 role, example, role.split('_')[1]))
        for role in ('deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
                     'rescue_ramdisk')]
    return images + [
        cfg.StrOpt('kernel_append_params',
                   help='Kernel arguments for %s nodes, replacing the '
                        'profile\'s built-in ones. A node\'s '
                        'driver_info/kernel_append_params wins over it.'
                        % arch),
        cfg.StrOpt('console',
                   help='Console argument for %s nodes, replacing the '
                        'profile default (e.g. console=ttyAMA0,115200). '
                        'Empty: no console argument. Ignored when the '
                        'kernel arguments already carry console=.' % arch),
        cfg.StrOpt('boot_method',
                   help='Boot method of every %s node, by name (e.g. '
                        '"of" for ppc64le Open Firmware). Unset: the '
                        'method of the node\'s boot mode. See the profile '
                        'for the choices.' % arch),
        cfg.DictOpt('loaders', default={},
                    help='Loader per boot method, as method:loader, e.g. '
                         '"uefi:shim". See the profile for the choices.'),
        cfg.DictOpt('loader_paths', default={},
                    help='Host path of each loader file, as file:path, '
                         'e.g. "grubaa64.efi:/srv/loaders/grubaa64.efi". '
                         'Copied into <root>/<loader_dir>/%s/.' % arch),
        cfg.DictOpt('config_templates', default={},
                    help='Jinja2 template per config format, as '
                         'format:path (formats: grub, pxelinux, petitboot, '
                         'ipxe). Variables: label, kernel, ramdisk, '
                         'kernel_params, timeout, ipxe_timeout '
                         '(milliseconds), bootif (true: pass the booting '
                         'NIC as BOOTIF=, as on deploy and rescue '
                         'entries).'),
    ]


def register_opts(conf, arch):
    """Register an architecture's group on ``conf``."""
    conf.register_opts(opts(arch), group=group_name(arch))
