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

"""Bridges Ironic's configuration to the planner's settings."""

from oslo_config import cfg

from ironic_multiarch import conf as ma_conf
from ironic_multiarch.conf import ironic as ironic_conf
from ironic_multiarch.conf import loading
from ironic_multiarch.conf import multiarch
from ironic_multiarch.profiles import loader

CONF = cfg.CONF


_REGISTERED = set()


def register_opts():
    """Register the plugin's options on Ironic's CONF, once per profile."""
    profiles = loader.installed()
    new = sorted(set(profiles) - _REGISTERED)
    if new or not _REGISTERED:
        ma_conf.register_opts(CONF, new)
        _REGISTERED.update(new or ['multiarch'])
    return profiles


def load():
    """Return ``(profiles, settings, ironic_values)`` for this conductor.

    :raises ConfigError: if a plugin setting is inconsistent.
    """
    profiles = register_opts()
    options, values = ironic_conf.read(CONF)
    settings = loading.build_settings(
        CONF, profiles, ironic=options, tftp_server=values['pxe/tftp_server'],
        http_url=values['deploy/http_url'],
        my_ipv6=values['DEFAULT/my_ipv6'])
    return profiles, settings, values


def roots():
    """The TFTP and HTTP roots of this conductor."""
    return {'tftp': CONF.pxe.tftp_root, 'http': CONF.deploy.http_root}


def place_loaders_enabled():
    """Whether the interfaces place loaders when they start."""
    return CONF[multiarch.GROUP].place_loaders
