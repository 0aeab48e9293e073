"""Writes plans into the TFTP and HTTP roots, atomically.

Firmware may read any file at any moment, so every file and link is
created under a temporary name in its own directory and renamed into
place: a booting node sees the old file or the new one, never half of
one. No Ironic import: the driver passes the roots in.
"""

import glob
import logging
import os
import shutil
import tempfile

from ironic_multiarch import paths
from ironic_multiarch import safety

LOG = logging.getLogger(__name__)


def _target(root, relpath):
    return os.path.join(root, safety.relpath(relpath))


def _atomic(root, relpath, create):
    """Create an entry under a temporary name and rename it into place.

    :param create: called with the destination directory; makes the
        temporary entry there and returns its path.
    :returns: the destination path.

    If another thread removes the directory meanwhile (a node cleaned up
    while it is prepared again), the directory is made again and the
    entry re-created: the result is never a half-written file.
    """
    dest = _target(root, relpath)
    directory = os.path.dirname(dest)
    for _ in range(10):
        os.makedirs(directory, exist_ok=True)
        try:
            tmp = create(directory)
        except FileNotFoundError:
            continue
        try:
            os.replace(tmp, dest)
            return dest
        except FileNotFoundError:
            _unlink(tmp)
        except BaseException:
            _unlink(tmp)
            raise
    raise FileNotFoundError('%s: its directory kept disappearing' % dest)


def _temp_file(directory, write, mode):
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        os.chmod(tmp, mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def write_file(root, relpath, data, mode=0o644):
    """Atomically write ``data`` (str or bytes) at ``root/relpath``."""
    data = data.encode('utf-8') if isinstance(data, str) else data
    return _atomic(root, relpath, lambda directory: _temp_file(
        directory, lambda f: f.write(data), mode))


def copy_file(root, relpath, source, mode=0o644):
    """Atomically copy the host file ``source`` to ``root/relpath``."""
    def copy(f):
        with open(source, 'rb') as src:
            shutil.copyfileobj(src, f)
    return _atomic(root, relpath,
                   lambda directory: _temp_file(directory, copy, mode))


def link(root, relpath, target_relpath):
    """Atomically point the symlink ``root/relpath`` at a file of the root.

    The link is relative, so the tree can be served from any mount point.
    """
    def make(directory):
        tmp = os.path.join(directory, '.tmp-link-%s' % os.urandom(6).hex())
        os.symlink(os.path.relpath(_target(root, target_relpath), directory),
                   tmp)
        return tmp
    return _atomic(root, relpath, make)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove(root, relpath):
    """Remove ``root/relpath`` if it exists (file or link)."""
    _unlink(_target(root, relpath))


def write_plan(roots, plan):
    """Write a plan's config, then its per-MAC links; drop stale links.

    Kernel and ramdisk must already be in place, so that firmware that
    finds the config finds what it boots.

    :param roots: mapping ``'tftp'``/``'http'`` -> directory.
    :param plan: :class:`~ironic_multiarch.plan.BootPlan`.
    :returns: the absolute config path.
    """
    root = roots[plan.config_root]
    config = write_file(root, plan.config_path, plan.config_text)
    for name in plan.links:
        link(root, name, plan.config_path)
    for root_name, name in plan.stale_links:
        if roots.get(root_name):
            remove(roots[root_name], name)
    return config


def _pxelinux_dirs(root):
    """Loader directories (``<loader_dir>/<arch>``) with a pxelinux.cfg/.

    pxelinux's per-MAC links live beside the loader (see
    :func:`ironic_multiarch.paths.mac_links`).
    """
    found = glob.glob(os.path.join(glob.escape(root), '*', '*',
                                   'pxelinux.cfg'))
    found += glob.glob(os.path.join(glob.escape(root), '*', '*', '*',
                                    'pxelinux.cfg'))
    return tuple(os.path.relpath(os.path.dirname(d), root) for d in found
                 if os.path.isdir(d) and not os.path.islink(d))


def remove_node(roots, uuid, macs, client_ids=None, config_dirs=None):
    """Remove everything of a node: per-MAC links first, then its folder.

    Links go first so that no firmware is pointed at a missing file.

    :param roots: mapping root name -> directory.
    :param uuid: the node UUID.
    :param macs: MAC addresses of all its ports.
    :param client_ids: mapping MAC -> client id, if any.
    :param config_dirs: loader directories that may hold pxelinux
        links; default: every ``pxelinux.cfg/`` found two or three levels
        down in each root.
    """
    uuid = safety.uuid(uuid)
    for root in filter(None, roots.values()):
        dirs = (_pxelinux_dirs(root) if config_dirs is None
                else tuple(config_dirs))
        for mac in macs:
            for name in paths.all_mac_links(
                    mac.lower(), (client_ids or {}).get(mac), dirs):
                remove(root, name)
        shutil.rmtree(_target(root, paths.node_dir(uuid)),
                      ignore_errors=True)


def missing_loaders(root, loader_files, exists=os.path.isfile):
    """The loader files that are not in ``root``.

    :param loader_files: iterable of
        :class:`~ironic_multiarch.plan.LoaderFile`.
    :param exists: the check (callers may cache it).
    :returns: list of ``(loader file, absolute path)`` pairs.
    """
    missing = []
    for item in loader_files:
        path = _target(root, item.path)
        if not exists(path):
            missing.append((item, path))
    return missing


def place_loaders(roots, loader_files, shared):
    """Copy loader files and write the shared configs into every root.

    :param roots: mapping root name -> directory (both get the loaders).
    :param loader_files: iterable of
        :class:`~ironic_multiarch.plan.LoaderFile`; those without a
        source or whose source is absent are skipped and returned.
    :param shared: mapping root name -> {relative path: text}.
    :returns: list of loader files that could not be placed.
    """
    missing = []
    seen = set()
    for item in loader_files:
        if item.path in seen:
            continue
        seen.add(item.path)
        source = item.source.value if item.source else None
        if not source or not os.path.isfile(source):
            missing.append(item)
            continue
        for root in filter(None, roots.values()):
            copy_file(root, item.path, source)
    for name, files in shared.items():
        if roots.get(name):
            for relpath, text in files.items():
                write_file(roots[name], relpath, text)
    return missing
