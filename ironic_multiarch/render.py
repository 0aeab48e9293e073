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

"""Renders GRUB, pxelinux, petitboot and iPXE files from checked values.

Every value is checked by :mod:`ironic_multiarch.safety` before it gets
here; the templates add only fixed text around them. Operators may replace
a template per architecture; the values they receive are the same.
"""

import functools
import importlib.resources

import jinja2

from ironic_multiarch import exception
from ironic_multiarch import precedence as prec
from ironic_multiarch import safety
from ironic_multiarch import settings as settings_mod

#: Built-in template file per config format.
TEMPLATES = {'grub': 'grub.cfg.j2', 'pxelinux': 'pxelinux.cfg.j2',
             'petitboot': 'petitboot.cfg.j2', 'ipxe': 'ipxe.j2'}
#: labels of the menu entry per plan mode.
LABELS = {'deploy': 'deploy', 'rescue': 'rescue', 'instance': 'boot'}

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined,
                          keep_trailing_newline=True, autoescape=False)


@functools.lru_cache(maxsize=None)
def builtin(name):
    """Return the text of a built-in template."""
    return importlib.resources.files('ironic_multiarch.templates').joinpath(
        name).read_text(encoding='utf-8')


@functools.lru_cache(maxsize=256)
def _compile(text):
    return _ENV.from_string(text)


def template_for(settings, arch, config_format):
    """Return the template text a node of ``arch`` gets, and its source."""
    text = settings.for_arch(arch).templates.get(config_format)
    if text:
        return prec.Chosen(text, '[multiarch_%s]config_templates[%s]'
                           % (arch, config_format), prec.ARCH_GROUP)
    return prec.Chosen(builtin(TEMPLATES[config_format]),
                       'built-in %s template' % config_format, prec.PROFILE)


def render(template, config_format, **values):
    """Render a node's config file.

    :param template: template text.
    :param config_format: for error messages.
    :param values: ``label``, ``kernel``, ``ramdisk``, ``kernel_params``,
        ``timeout``, ``ipxe_timeout`` (milliseconds, 0: none; Ironic's
        ``[pxe]ipxe_timeout`` times 1000, as in its iPXE template),
        ``bootif`` (the entry passes the booting NIC's MAC as
        ``BOOTIF=``: ``IPAPPEND 2``, ``${mac}``, ``${net_default_mac}``).
    :returns: the file's text, ending with a newline.
    """
    values.setdefault('ipxe_timeout', 0)
    values.setdefault('bootif', False)
    try:
        text = _compile(template).render(**values)
    except jinja2.TemplateError as exc:
        raise exception.ConfigError('Cannot render the %s template: %s'
                                    % (config_format, exc)) from exc
    return text if text.endswith('\n') else text + '\n'


class Locations:
    """How a config file refers to the files it boots.

    :param settings: the planner settings (servers, GRUB over HTTP).
    :param config_format: the format being rendered.
    :param image_root: ``tftp`` or ``http``: where kernel/ramdisk live.
    :param node: node name for messages.
    :param arch: architecture for messages.
    """

    def __init__(self, settings, config_format, image_root, node, arch):
        self.settings = settings
        self.format = config_format
        self.image_root = image_root
        self.node = node
        self.arch = arch

    def base(self):
        """The prefix every path is appended to."""
        if self.image_root == 'http' and self.format == 'grub':
            url = settings_mod.http_url(self.settings, self.node, self.arch)
            host, _, path = url.split('://', 1)[1].partition('/')
            return '(http,%s)/%s' % (host, path + '/' if path else '')
        if self.image_root == 'http' or self.format == 'petitboot':
            return settings_mod.root_url(self.settings, self.image_root,
                                         self.node, self.arch)
        if self.format == 'pxelinux':
            # pxelinux puts its path prefix (the loader's own directory
            # without DHCP option 210) before any path that is not a URL,
            # even one starting with '/'; '::' means the server's root.
            return '::/'
        return '/'

    def ref(self, path):
        """Return how the config names ``path`` (relative to its root)."""
        return self.base() + safety.relpath(path)
