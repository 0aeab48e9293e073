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

"""Loads architecture profiles through stevedore, once per process."""

import functools
import logging

from stevedore import extension

from ironic_multiarch import exception
from ironic_multiarch.profiles import base

LOG = logging.getLogger(__name__)

NAMESPACE = 'ironic_multiarch.profiles'


def _on_load_failure(manager, entrypoint, exc):
    raise exception.ProfileLoadError(
        'Cannot load architecture profile entry point %(ep)s in namespace '
        '%(ns)s: %(exc)s' % {'ep': getattr(entrypoint, 'name', entrypoint),
                             'ns': NAMESPACE, 'exc': exc}) from exc


@functools.lru_cache(maxsize=None)
def _manager():
    return extension.ExtensionManager(
        NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=_on_load_failure)


def reset():
    """Forget the cached extension manager (tests, new entry points).

    stevedore also keeps each namespace's entry point list on the
    ``ExtensionManager`` class, whatever ``sys.path`` is: drop ours too.
    """
    _manager.cache_clear()
    getattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE', {}).pop(
        NAMESPACE, None)


def installed():
    """Return every installed profile, keyed by canonical name.

    :returns: dict name -> :class:`~ironic_multiarch.profiles.base.ArchProfile`.
    :raises ProfileLoadError: naming the entry point that failed, or the one
        whose name does not match its profile's ``name``.
    """
    profiles = {}
    for ext in _manager():
        profile = ext.obj
        if not isinstance(profile, base.ArchProfile):
            raise exception.ProfileLoadError(
                'Entry point %(ep)s in namespace %(ns)s is not an ArchProfile'
                % {'ep': ext.name, 'ns': NAMESPACE})
        if profile.name != ext.name:
            raise exception.ProfileLoadError(
                'Entry point %(ep)s in namespace %(ns)s declares cpu_arch '
                '%(name)s; name the entry point after it'
                % {'ep': ext.name, 'ns': NAMESPACE, 'name': profile.name})
        profiles[ext.name] = profile
    LOG.debug('Loaded architecture profiles: %(names)s',
              {'names': ', '.join(sorted(profiles))})
    return profiles


def get(name):
    """Return the installed profile for a canonical name.

    :raises ProfileLoadError: if no such profile is installed.
    """
    profiles = installed()
    try:
        return profiles[name]
    except KeyError:
        raise exception.ProfileLoadError(
            'No architecture profile %(name)s is installed (entry point '
            'namespace %(ns)s); installed: %(have)s'
            % {'name': name, 'ns': NAMESPACE,
               'have': ', '.join(sorted(profiles))}) from None
