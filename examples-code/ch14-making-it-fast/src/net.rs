//! Non-blocking TCP and UDP sockets registered with the runtime's epoll set, with an API like
//! `tokio::net`'s. Each operation is a leaf future: it tries the system call, and if the call
//! would block, it leaves its task's waker with the reactor and returns `Pending`.
//!
//! A socket belongs to the runtime it was created in: create it inside `Runtime::block_on`,
//! and use it from that runtime's tasks (it is `Send`, so any of them).

use crate::reactor::{Direction, Registered};
use crate::runtime::current_reactor;
use crate::sys;
use futures::io::{AsyncRead, AsyncWrite};
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::AsFd;
use std::pin::Pin;
use std::task::{Context, Poll};

// ANCHOR: tcp_listener
/// A TCP socket server, listening for connections, like `tokio::net::TcpListener`.
pub struct TcpListener {
    inner: Registered<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` and listens. Host names are resolved with `std`, which blocks the
    /// thread while it asks a DNS server; addresses such as `"127.0.0.1:0"` never block.
    ///
    /// # Panics
    ///
    /// When awaited outside `Runtime::block_on`.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        // std's bind makes the socket with SOCK_CLOEXEC and sets SO_REUSEADDR.
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        Ok(TcpListener {
            inner: Registered::new(listener, current_reactor())?,
        })
    }

    /// Waits for a connection and returns it, with the peer's address.
    ///
    /// An error is returned as it is, and the listener stays usable. `EMFILE` (no file
    /// descriptor left for the new socket) says nothing about the connection, which waits
    /// in the kernel's queue: accepting again at once fails again at once.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// The poll behind `accept`.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        // Readable, for a listening socket, means "a connection is waiting to be accepted".
        let (stream, peer) = match self.inner.poll_io(cx, Direction::Read, |l| l.accept()) {
            Poll::Ready(Ok(accepted)) => accepted,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        // The new socket is blocking (std calls accept4 with SOCK_CLOEXEC only): make it
        // non-blocking, and register it where the listener is registered.
        let registered = stream
            .set_nonblocking(true)
            .and_then(|()| Registered::new(stream, self.inner.reactor()));
        Poll::Ready(registered.map(|inner| (TcpStream { inner }, peer)))
    }

    /// The address this listener is bound to (with the port the kernel chose for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}
// ANCHOR_END: tcp_listener

/// A TCP connection, like `tokio::net::TcpStream`. It implements `futures::io::AsyncRead` and
/// `AsyncWrite`, and so does `&TcpStream`, so that one task can read and write at once
/// (`futures::io::copy(&stream, &mut &stream)`).
pub struct TcpStream {
    inner: Registered<std::net::TcpStream>,
}

impl TcpStream {
    // ANCHOR: connect
    /// Opens a connection to `addr`, trying each address it resolves to in turn, and
    /// returns the last error if none accepts (`ConnectionRefused` when nothing listens).
    ///
    /// # Panics
    ///
    /// When awaited outside `Runtime::block_on`.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match TcpStream::connect_to(addr).await {
                Ok(stream) => return Ok(stream),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to")
        }))
    }

    async fn connect_to(addr: SocketAddr) -> io::Result<TcpStream> {
        let fd = sys::tcp_socket(&addr)?;
        // Usually `false`: EINPROGRESS, the handshake has only begun.
        let connected = sys::connect(fd.as_fd(), &addr)?;
        let stream = TcpStream {
            inner: Registered::new(std::net::TcpStream::from(fd), current_reactor())?,
        };
        if !connected {
            // The socket turns writable when the handshake ends, well or badly.
            poll_fn(|cx| stream.inner.poll_io(cx, Direction::Write, handshake_done)).await?;
        }
        Ok(stream)
    }
    // ANCHOR_END: connect

    /// Registers a connected `std` stream with the current runtime, and makes it non-blocking.
    ///
    /// # Panics
    ///
    /// When called outside `Runtime::block_on`.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(TcpStream {
            inner: Registered::new(stream, current_reactor())?,
        })
    }

    /// This end's address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The other end's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Shuts down the reading, writing or both halves of the connection. After
    /// `Shutdown::Write`, the peer reads end of file.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// Sets `TCP_NODELAY`: send small writes at once instead of waiting to gather more.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.get_ref().set_nodelay(nodelay)
    }

    // ANCHOR: read
    /// Reads into `buf` and returns how many bytes came; `Ok(0)` is end of file (the peer
    /// shut down its writing half or closed), or an empty `buf`.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read_ref(cx, buf)).await
    }

    fn poll_read_ref(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner
            .poll_io(cx, Direction::Read, |mut stream| stream.read(buf))
    }
    // ANCHOR_END: read

    /// Writes some of `buf` and returns how many bytes the kernel took.
    ///
    /// A write to a connection the peer has closed fails with `BrokenPipe` (or
    /// `ConnectionReset`), never with a `SIGPIPE` signal: `std` sends with `MSG_NOSIGNAL`.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write_ref(cx, buf)).await
    }

    fn poll_write_ref(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner
            .poll_io(cx, Direction::Write, |mut stream| stream.write(buf))
    }

    /// Writes all of `buf`, waiting for room in the socket's buffer as often as needed.
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }
}

/// Whether a non-blocking `connect` has finished: the error it ended with, if any (read and
/// cleared from `SO_ERROR`), else `Ok` once the socket has a peer, else `WouldBlock`.
fn handshake_done(stream: &std::net::TcpStream) -> io::Result<()> {
    if let Some(error) = stream.take_error()? {
        return Err(error);
    }
    match stream.peer_addr() {
        Ok(_) => Ok(()),
        Err(error) if error.raw_os_error() == Some(libc::ENOTCONN) => {
            Err(io::ErrorKind::WouldBlock.into())
        }
        Err(error) => Err(error),
    }
}

// ANCHOR: async_read
impl AsyncRead for &TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_ref(cx, buf)
    }
}

impl AsyncWrite for &TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_ref(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Nothing is buffered in user space: a written byte is in the kernel already.
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}
// ANCHOR_END: async_read

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_ref(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_ref(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}

// ANCHOR: udp
/// A UDP socket, like `tokio::net::UdpSocket`: datagrams to and from any address.
pub struct UdpSocket {
    inner: Registered<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (host names resolve with `std`, blocking, as for `TcpListener::bind`).
    ///
    /// # Panics
    ///
    /// When awaited outside `Runtime::block_on`.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let socket = std::net::UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            inner: Registered::new(socket, current_reactor())?,
        })
    }

    /// Sends `buf` as one datagram to `target`; returns how many bytes were sent.
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        poll_fn(|cx| {
            self.inner
                .poll_io(cx, Direction::Write, |socket| socket.send_to(buf, target))
        })
        .await
    }

    /// Waits for a datagram, copies it into `buf` (cut short if `buf` is too small) and
    /// returns its length and who sent it.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| {
            self.inner
                .poll_io(cx, Direction::Read, |socket| socket.recv_from(buf))
        })
        .await
    }

    /// The address this socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}
// ANCHOR_END: udp
