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

"""A private MariaDB server for a test deployment of several services.

The server comes from the distribution's ``mariadb-server`` package; this
module only starts ``mariadbd`` on a data directory of its own, with no
TCP listener (``--skip-networking``): clients reach it through a unix
socket in the same directory. Ironic connects with PyMySQL::

    with MariaDB(workdir) as db:
        url = db.create_database('ironic', 'ironic', 'secret')
        # mysql+pymysql://ironic:secret@localhost/ironic?unix_socket=...

Nothing of the system's own MariaDB (``/etc/mysql``, ``/var/lib/mysql``)
is read or touched: every command runs with ``--no-defaults``.
"""

import logging
import os
import shutil
import signal
import subprocess
import time

from multiarch_lab import standalone

LOG = logging.getLogger(__name__)


class MariaDBError(RuntimeError):
    """MariaDB could not be set up; the message carries the log tail."""


def _find(names):
    for name in names:
        for directory in ('/usr/sbin', '/usr/bin'):
            path = os.path.join(directory, name)
            if os.access(path, os.X_OK):
                return path
        path = shutil.which(name)
        if path:
            return path
    return None


def _binary(*names):
    """The first of ``names`` installed; installs ``mariadb-server`` with
    apt when none is (it starts no service here)."""
    path = _find(names)
    if path is None:
        from multiarch_lab import assets
        assets._apt_get('install', '-y', '--no-install-recommends',
                        'mariadb-server')
        path = _find(names)
    if path is None:
        raise MariaDBError('none of %s found: install the mariadb-server '
                           'package' % ', '.join(names))
    return path


class MariaDB(standalone.Service):
    """``mariadbd`` on a private data directory and unix socket.

    :param workdir: directory for the data, the socket and the log
        (created if missing). A data directory already initialised there
        is reused.
    :param start_timeout: seconds to wait for the socket to answer.
    """

    def __init__(self, workdir, start_timeout=60):
        self.workdir = os.path.abspath(workdir)
        self.datadir = os.path.join(self.workdir, 'data')
        self.socket = os.path.join(self.workdir, 'mysqld.sock')
        self.log_file = os.path.join(self.workdir, 'mariadb.log')
        self.start_timeout = start_timeout
        self.process = None

    def _initialise(self):
        if os.path.isdir(os.path.join(self.datadir, 'mysql')):
            return
        os.makedirs(self.datadir, exist_ok=True)
        result = subprocess.run(
            [_binary('mariadb-install-db', 'mysql_install_db'),
             '--no-defaults', '--datadir=%s' % self.datadir, '--user=root',
             '--auth-root-authentication-method=normal', '--skip-test-db'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode:
            raise MariaDBError('mariadb-install-db failed:\n%s'
                               % result.stdout[-3000:])

    def start(self):
        """Initialise the data directory if needed and start the server.

        :raises MariaDBError: if it does not answer in time (it is stopped
            first).
        """
        self._initialise()
        with open(self.log_file, 'ab') as log:
            self.process = subprocess.Popen(
                [_binary('mariadbd', 'mysqld'), '--no-defaults',
                 '--datadir=%s' % self.datadir, '--socket=%s' % self.socket,
                 '--pid-file=%s' % os.path.join(self.workdir, 'mysqld.pid'),
                 '--skip-networking', '--user=root', '--skip-log-bin',
                 '--innodb-buffer-pool-size=64M',
                 '--innodb-flush-log-at-trx-commit=0',
                 '--innodb-doublewrite=0', '--max-connections=500'],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, cwd=self.workdir)
        LOG.debug('Started mariadbd (pid %(pid)s) on %(sock)s',
                  {'pid': self.process.pid, 'sock': self.socket})
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.sql('SELECT 1', check=False).returncode == 0:
                return self
            time.sleep(0.3)
        self.stop()
        raise MariaDBError('MariaDB did not answer on %s; log:\n%s'
                           % (self.socket, self.log_tail()))

    def sql(self, statement, check=True):
        """Run SQL as the database's root user through the socket.

        :raises MariaDBError: if ``check`` and the client fails.
        :returns: the :class:`subprocess.CompletedProcess`.
        """
        result = subprocess.run(
            [_binary('mariadb', 'mysql'), '--no-defaults',
             '--socket=%s' % self.socket, '--user=root', '--batch',
             '--execute=%s' % statement],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=30)
        if check and result.returncode:
            raise MariaDBError('SQL failed: %s\n%s' % (statement,
                                                       result.stdout))
        return result

    def create_database(self, name, user, password):
        """Create a database and a user owning it.

        :returns: the SQLAlchemy URL for PyMySQL over the unix socket.
        """
        self.sql("CREATE DATABASE IF NOT EXISTS `%(db)s` CHARACTER SET utf8mb4;"
                 " CREATE USER IF NOT EXISTS '%(user)s'@'localhost' "
                 "IDENTIFIED BY '%(pw)s'; GRANT ALL ON `%(db)s`.* TO "
                 "'%(user)s'@'localhost'; FLUSH PRIVILEGES;"
                 % {'db': name, 'user': user, 'pw': password})
        return ('mysql+pymysql://%s:%s@localhost/%s?unix_socket=%s'
                '&charset=utf8mb4' % (user, password, name, self.socket))

    def stop(self, timeout=30):
        """Stop the server (SIGTERM, then SIGKILL). Safe to call twice."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                LOG.warning('mariadbd %(pid)s did not stop, killing it',
                            {'pid': self.process.pid})
                self.process.kill()
                self.process.wait(10)
        self.process = None

