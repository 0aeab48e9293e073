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

"""Writes plans into the TFTP and HTTP roots, atomically.

Firmware may read any file at any moment, so every file and link is
created under a temporary name in its own directory and renamed into
place: a booting node sees the old file or the new one, never half of
one. No Ironic import: the driver passes the roots in.

Permissions follow Ironic's ``[pxe]file_permission`` (``file_mode``:
applied to every file written; ``None`` or 0 leaves it to the umask, as
Ironic's ``write_to_file`` does) and ``[pxe]dir_permission``
(``dir_mode``: the mode of directories this module creates, less the
umask; ``None`` means 0o755, as Ironic's ``ensure_tree``). Existing
directories are never changed: an operator may have set ACLs on them.
"""

import filecmp
import glob
import logging
import os
import shutil

from ironic_multiarch import binaries
from ironic_multiarch import paths
from ironic_multiarch import safety

LOG = logging.getLogger(__name__)


def _target(root, relpath):
    return os.path.join(root, safety.relpath(relpath))


def ensure_dir(path, dir_mode=None):
    """Create ``path`` and its missing parents like Ironic's ensure_tree.

    :param dir_mode: ``[pxe]dir_permission``; ``None``: 0o755. The umask
        applies; an existing directory is left as it is.
    """
    os.makedirs(path, mode=dir_mode or 0o755, exist_ok=True)


def _atomic(root, relpath, create, dir_mode=None):
    """Create an entry under a temporary name and rename it into place.

    :param create: called with the destination directory; makes the
        temporary entry there and returns its path.
    :param dir_mode: mode of directories created on the way.
    :returns: the destination path.

    If another thread removes the directory meanwhile (a node cleaned up
    while it is prepared again), the directory is made again and the
    entry re-created: the result is never a half-written file.
    """
    dest = _target(root, relpath)
    directory = os.path.dirname(dest)
    for _ in range(10):
        ensure_dir(directory, dir_mode)
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
    # Created as open() would (0o666 less the umask), not mkstemp's 0o600:
    # with no [pxe]file_permission the umask decides, as in Ironic.
    while True:
        tmp = os.path.join(directory, '.tmp-%s' % os.urandom(6).hex())
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        if mode:
            os.chmod(tmp, mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def write_file(root, relpath, data, mode=0o644, dir_mode=None):
    """Atomically write ``data`` (str or bytes) at ``root/relpath``.

    :param mode: ``[pxe]file_permission`` (``None``: the umask decides).
    :param dir_mode: ``[pxe]dir_permission`` for directories created.
    """
    data = data.encode('utf-8') if isinstance(data, str) else data
    return _atomic(root, relpath, lambda directory: _temp_file(
        directory, lambda f: f.write(data), mode), dir_mode)


def copy_file(root, relpath, source, mode=0o644, dir_mode=None):
    """Atomically copy the host file ``source`` to ``root/relpath``.

    :param mode: ``[pxe]file_permission`` (``None``: the umask decides).
    :param dir_mode: ``[pxe]dir_permission`` for directories created.
    """
    def copy(f):
        with open(source, 'rb') as src:
            shutil.copyfileobj(src, f)
    return _atomic(root, relpath,
                   lambda directory: _temp_file(directory, copy, mode),
                   dir_mode)


def link(root, relpath, target_relpath, dir_mode=None):
    """Atomically point the symlink ``root/relpath`` at a file of the root.

    The link is relative, so the tree can be served from any mount point.
    """
    def make(directory):
        tmp = os.path.join(directory, '.tmp-link-%s' % os.urandom(6).hex())
        os.symlink(os.path.relpath(_target(root, target_relpath), directory),
                   tmp)
        return tmp
    return _atomic(root, relpath, make, dir_mode)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove(root, relpath):
    """Remove ``root/relpath`` if it exists (file or link)."""
    _unlink(_target(root, relpath))


def write_plan(roots, plan, file_mode=0o644, dir_mode=None):
    """Write a plan's config, then its per-MAC links; drop stale links.

    Kernel and ramdisk must already be in place, so that firmware that
    finds the config finds what it boots.

    :param roots: mapping ``'tftp'``/``'http'`` -> directory.
    :param plan: :class:`~ironic_multiarch.plan.BootPlan`.
    :param file_mode: ``[pxe]file_permission`` of the config.
    :param dir_mode: ``[pxe]dir_permission`` of the node's directory and
        of the per-MAC link directory (``[pxe]pxe_config_subdir``) when
        they are created.
    :returns: the absolute config path.
    """
    root = roots[plan.config_root]
    config = write_file(root, plan.config_path, plan.config_text,
                        file_mode, dir_mode)
    for name in plan.links:
        link(root, name, plan.config_path, dir_mode)
    for root_name, name in plan.stale_links:
        if roots.get(root_name):
            remove(roots[root_name], name)
    return config


def _pxelinux_dirs(root, config_subdir=paths.CONFIG_SUBDIR):
    """Loader directories (``<loader_dir>/<arch>``) with a config subdir.

    pxelinux's per-MAC links live beside the loader (see
    :func:`ironic_multiarch.paths.mac_links`).
    """
    dirs = []
    subdirs = dict.fromkeys((paths.CONFIG_SUBDIR,
                             safety.relpath(config_subdir)))
    for sub in subdirs:
        for depth in (('*', '*'), ('*', '*', '*')):
            for found in sorted(glob.glob(os.path.join(
                    glob.escape(root), *depth, glob.escape(sub)))):
                if os.path.isdir(found) and not os.path.islink(found):
                    parent = os.path.relpath(found[:-len(sub) - 1], root)
                    if parent not in dirs:
                        dirs.append(parent)
    return tuple(dirs)


def remove_node(roots, uuid, macs, client_ids=None, config_dirs=None,
                config_subdir=paths.CONFIG_SUBDIR):
    """Remove everything of a node: per-MAC links first, then its folder.

    Links go first so that no firmware is pointed at a missing file.

    :param roots: mapping root name -> directory.
    :param uuid: the node UUID.
    :param macs: MAC addresses of all its ports.
    :param client_ids: mapping MAC -> client id, if any.
    :param config_dirs: loader directories that may hold pxelinux
        links; default: every ``pxelinux.cfg/`` (and ``config_subdir``)
        found two or three levels down in each root.
    :param config_subdir: ``[pxe]pxe_config_subdir``.
    """
    uuid = safety.uuid(uuid)
    for root in filter(None, roots.values()):
        dirs = (_pxelinux_dirs(root, config_subdir) if config_dirs is None
                else tuple(config_dirs))
        for mac in macs:
            for name in paths.all_mac_links(
                    mac.lower(), (client_ids or {}).get(mac), dirs,
                    config_subdir):
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


def place_loaders(roots, loader_files, shared=None, file_mode=0o644,
                  dir_mode=None):
    """Copy loader files (and any shared files) into every root.

    The shared GRUB config and iPXE script are Ironic's own
    (``place_common_config``, ``create_ipxe_boot_script``), written by
    Ironic's code, not here.

    :param roots: mapping root name -> directory (both get the loaders).
    :param loader_files: iterable of
        :class:`~ironic_multiarch.plan.LoaderFile`; those without a
        source or whose source is absent are skipped and returned.
    :param shared: mapping root name -> {relative path: text}, or None.
    :param file_mode: ``[pxe]file_permission``.
    :param dir_mode: ``[pxe]dir_permission``.
    :returns: list of loader files that could not be placed.

    A loader file with a ``link`` (a name firmware fetches from the root,
    such as shim's ``grubaa64.efi``) becomes a relative symbolic link to
    its file in the architecture's directory, after the files are copied;
    see :func:`root_link`.

    A source whose header shows another architecture than the one the
    file is served to (an x86_64 GRUB named ``grubaa64.efi``) is not
    copied, so a right copy already in place stays; a warning names the
    file, what it is and what it should be (see
    :func:`ironic_multiarch.binaries.check`).
    """
    missing = []
    seen = set()
    links = []
    for item in loader_files:
        if item.path in seen:
            continue
        seen.add(item.path)
        if getattr(item, 'link', None):
            links.append(item)
            continue
        source = item.source.value if item.source else None
        if not source or not os.path.isfile(source):
            missing.append(item)
            continue
        problem = wrong_architecture(item, source)
        if problem:
            LOG.warning('Loader file %(source)s is not placed as %(path)s: '
                        'it %(problem)s. Set [multiarch_%(arch)s]'
                        'loader_paths to a build of %(name)s for '
                        '%(arch)s.',
                        {'source': source, 'path': item.path,
                         'problem': problem, 'name': item.name,
                         'arch': loader_arch(item)})
            continue
        for root in filter(None, roots.values()):
            copy_file(root, item.path, source, file_mode, dir_mode)
    for item in links:
        for root in filter(None, roots.values()):
            root_link(root, item, dir_mode)
    for name, files in (shared or {}).items():
        if roots.get(name):
            for relpath, text in files.items():
                write_file(roots[name], relpath, text, file_mode, dir_mode)
    return missing


def root_link(root, item, dir_mode=None):
    """Link ``root/item.path`` to ``root/item.link``, never over a file.

    A regular file already there (stock Ironic's ``[pxe]loader_file_paths``
    or an operator's copy) is left alone, with a warning when it differs
    from the file the link would point to: firmware that fetches the name
    from the root gets that file. So is a symbolic link to another
    existing file. A link that points nowhere is replaced.

    :param root: a TFTP or HTTP root.
    :param item: a :class:`~ironic_multiarch.plan.LoaderFile` with ``link``.
    :returns: ``True`` if the link is in place, ``False`` if another file
        was kept.
    """
    dest = _target(root, item.path)
    target = _target(root, item.link)
    if os.path.lexists(dest):
        if os.path.islink(dest) and not os.path.exists(dest):
            pass   # dangling: nothing serves it, replace it
        elif os.path.exists(target) and os.path.samefile(dest, target):
            return True
        else:
            if os.path.isfile(target) and not filecmp.cmp(dest, target,
                                                          shallow=False):
                LOG.warning('%(dest)s is not the loader %(target)s, and is '
                            'kept: shim of %(arch)s nodes fetches %(name)s '
                            'from the root and gets it. Remove it (the '
                            'conductor then links it to %(link)s at its next '
                            'start) or make it the same file.',
                            {'dest': dest, 'target': target,
                             'arch': loader_arch(item),
                             'name': item.name, 'link': item.link})
            return False
    link(root, item.path, item.link, dir_mode)
    return True


def loader_arch(item):
    """The architecture a loader file is served to: its directory name
    (``<loader_dir>/<arch>/<name>``, see :func:`paths.loader`); for a
    link in the root, that of the file it points to."""
    parts = (getattr(item, 'link', None) or item.path).split('/')
    return parts[-2] if len(parts) > 1 else None


def wrong_architecture(item, source):
    """Why ``source`` cannot be served as ``item``, or ``None``.

    Only a file positively of another architecture (or a PE/ELF file
    where a BIOS PXE program belongs) is reported; a header that cannot
    be read or recognised is left to ``ironic-multiarch doctor``.
    """
    arch = loader_arch(item)
    try:
        data = binaries.read(source, 65536)
    except OSError:
        return None
    problem, found = binaries.check(data, arch, item.name)
    if problem and (found.kind in (binaries.EFI, binaries.ELF)):
        return problem
    return None


def alias_tftp_root(http_root, tftp_root, dir_mode=None):
    """Make the TFTP root's absolute path resolve inside the HTTP root.

    Ironic's ``grub/grub.cfg`` (its ``[pxe]initial_grub_template``) sources
    ``<tftp_root>/$net_default_mac.conf``. GRUB booted over UEFI HTTP
    reads that file from the HTTP server, so the same path must name the
    HTTP root's ``<mac>.conf`` there: ``<http_root>/<tftp_root>`` becomes
    a relative link to the HTTP root itself.

    :param http_root: ``[deploy]http_root``.
    :param tftp_root: ``[pxe]tftp_root`` (absolute).
    :returns: the alias path relative to the HTTP root, or ``None`` when
        none is needed (the roots are one directory) or something that is
        not such a link is already there (it is kept, with a warning).
    """
    rel = safety.relpath(os.path.normpath(tftp_root).lstrip('/'))
    if os.path.normpath(http_root) == os.path.normpath(tftp_root):
        return None
    dest = _target(http_root, rel)
    wanted = os.path.relpath(http_root, os.path.dirname(dest))
    if os.path.lexists(dest):
        if os.path.islink(dest) and os.readlink(dest) == wanted:
            return rel
        LOG.warning('%(dest)s exists, so GRUB booted over UEFI HTTP cannot '
                    'read Ironic\'s %(tftp)s/<mac>.conf there; remove it '
                    '(the conductor links it to the HTTP root at its next '
                    'start).', {'dest': dest, 'tftp': tftp_root})
        return None

    def make(directory):
        tmp = os.path.join(directory, '.tmp-link-%s' % os.urandom(6).hex())
        os.symlink(wanted, tmp)
        return tmp
    _atomic(http_root, rel, make, dir_mode)
    return rel
