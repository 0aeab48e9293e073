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

"""Ironic's TFTP image cache, used as it is, with its clean-up race retried.

Ironic's ``ImageCache.clean_up`` lists the master directory and then
stats every entry. A download in progress keeps its partial file in a
temporary directory there and removes that directory when it is done. If
the removal falls between the listing and the stat, ``clean_up`` raises
``FileNotFoundError`` for the temporary directory, and the node whose
download had just finished fails to prepare (``clean failed``,
``deploy failed``).

Stock Ironic rarely meets it: one architecture's fleet has one deploy
kernel and ramdisk, and downloads of one image wait on its lock. A mixed
fleet downloads one pair per architecture at the same time. Everything
the failed call did before the clean-up is in place (the images are in
the cache and linked to the node), so the call is repeated: the second
time it finds them and returns.
"""

import os

from oslo_config import cfg
from oslo_log import log as logging

from ironic.common import pxe_utils

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

#: How often a call that met the race is made, in all.
ATTEMPTS = 3


def _vanished_from_master_dir(exc):
    """Whether an error is an entry of the master directory gone missing."""
    master = CONF.pxe.tftp_master_path
    if not (master and exc.filename):
        return False
    return (os.path.dirname(os.path.abspath(os.fsdecode(exc.filename)))
            == os.path.abspath(master))


def _retried(what, node, call, *args, **kwargs):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return call(*args, **kwargs)
        except FileNotFoundError as exc:
            if attempt == ATTEMPTS or not _vanished_from_master_dir(exc):
                raise
            LOG.warning('Node %(node)s: %(what)s met a download of another '
                        'image finishing in Ironic\'s image cache '
                        '(%(path)s vanished); attempt %(next)d of '
                        '%(attempts)d',
                        {'node': node, 'what': what, 'path': exc.filename,
                         'next': attempt + 1, 'attempts': ATTEMPTS})


def cache_ramdisk_kernel(task, images_info, ipxe_enabled):
    """Fetch a node's kernel and ramdisk through Ironic's image cache.

    :param task: a TaskManager instance.
    :param images_info: ``{label: (href, destination path)}``, as
        Ironic's ``pxe_utils.cache_ramdisk_kernel`` takes it.
    :param ipxe_enabled: whether the images go to the HTTP root.
    """
    _retried('fetching its kernel and ramdisk', task.node.uuid,
             pxe_utils.cache_ramdisk_kernel, task, images_info,
             ipxe_enabled=ipxe_enabled)


def clean_up(task):
    """Let Ironic's image cache drop what no node links to any more.

    :param task: a TaskManager instance, for the log.
    """
    _retried('the image cache clean-up', task.node.uuid,
             pxe_utils.TFTPImageCache().clean_up)
