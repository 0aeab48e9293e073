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

"""The ``[multiarch]`` group: which architectures, defaults, layout."""

from oslo_config import cfg

GROUP = 'multiarch'

opts = [
    cfg.ListOpt('enabled_architectures',
                default=['x86_64', 'aarch64', 'ppc64le'],
                help='Canonical cpu_arch names of the architecture profiles '
                     'this conductor serves. Each must be an installed '
                     'profile (entry point namespace '
                     'ironic_multiarch.profiles). Nodes of any other '
                     'architecture fail validation.'),
    cfg.StrOpt('default_arch',
               help='Architecture assumed for nodes that have no cpu_arch '
                    'property. Unset (the default): such nodes fail '
                    'validation, naming the property to set.'),
    cfg.StrOpt('global_options_arch',
               help="The architecture Ironic's global single-architecture "
                    'options ([conductor]deploy_kernel and the other '
                    'images, [pxe]loader_file_paths, the console= '
                    'arguments of [pxe]kernel_append_params, ...) are '
                    'meant for, e.g. x86_64. They are never used for nodes '
                    'of another architecture. Unset (the default): no '
                    'architecture uses them, and every architecture names '
                    'its images in its [multiarch_<arch>] group. The other '
                    'arguments of [pxe]kernel_append_params are the base '
                    'of every architecture without its own '
                    'kernel_append_params.'),
    cfg.DictOpt('arch_aliases', default={},
                help='Extra aliases of architecture names, as alias:'
                     'canonical, e.g. "armv8:aarch64". Built-in aliases: '
                     'amd64, x64 (x86_64); arm64, aa64 (aarch64); ppc64el, '
                     'powerpc64le (ppc64le).'),
    cfg.StrOpt('loader_dir', default='multiarch',
               help='Directory, relative to the TFTP and HTTP roots, '
                    'holding one sub-directory of boot loaders per '
                    'architecture (shim loads GRUB from its own '
                    'directory).'),
    cfg.BoolOpt('place_loaders', default=True,
                help='Copy every enabled architecture\'s loader files into '
                     'its directory of the TFTP and HTTP roots when the '
                     'boot interface starts.'),
    cfg.BoolOpt('grub_http_delivery', default=False,
                help='GRUB fetches kernel and ramdisk from [deploy]http_url '
                     'instead of TFTP; they are cached in the HTTP root.'),
    cfg.IntOpt('menu_timeout', default=5, min=0, max=600,
               help='Seconds a GRUB or pxelinux menu waits before it boots '
                    'the planned entry.'),
]


def register_opts(conf):
    """Register the ``[multiarch]`` options on ``conf``."""
    conf.register_opts(opts, group=GROUP)
