"""A port that is already taken: one clear error naming the port and --port, and a non-zero exit."""
import socket

from support.cli import run_app


def test_taken_port_is_one_clear_error_and_a_failing_exit(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_app("--port", str(port), tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"port {port}" in errors[0] and "--port" in errors[0]
    assert "IIB serving" not in result.stderr
    assert "Errno" not in result.stderr and "Traceback" not in result.stderr


def test_an_address_we_cannot_listen_on_names_host_and_port(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is never an address of this machine: bind() fails with EADDRNOTAVAIL.
    result = run_app("--host", "192.0.2.1", "--port", "8123", tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "192.0.2.1" in result.stderr and "8123" in result.stderr and "--port" in result.stderr
    assert "IIB serving" not in result.stderr
