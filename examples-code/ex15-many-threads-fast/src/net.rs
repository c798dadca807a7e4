//! TCP and UDP on mio, with an API like `tokio::net`'s. Each operation is a leaf future: it makes the
//! call, and if the call would block, it leaves its task's waker with the reactor and returns
//! `Pending`. `TcpStream` implements `futures::io::AsyncRead` and `AsyncWrite`. Each
//! operation that completes spends a unit of its task's budget (`coop.rs`).
//!
//! A socket belongs to the runtime it was created in: create it in a task or inside
//! `Runtime::block_on`, and use it from that runtime's tasks (it is `Send`, so any of them).

use crate::reactor::{Direction, Registered};
use crate::runtime::Handle;
use futures::io::{AsyncRead, AsyncWrite};
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::task::{Context, Poll};

// ANCHOR: tcp_listener
/// A TCP socket server, listening for connections, like `tokio::net::TcpListener`.
pub struct TcpListener {
    inner: Registered<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` and listens (mio sets `SO_REUSEADDR`, a backlog of 1024, and makes
    /// the socket non-blocking). Host names are resolved with `std`, which blocks.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match mio::net::TcpListener::bind(addr) {
                Ok(listener) => {
                    let reactor = Handle::current().shared.reactor.clone();
                    let inner = Registered::new(listener, reactor)?;
                    return Ok(TcpListener { inner });
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no address to bind to")
        }))
    }

    /// Waits for a connection and returns it, with the peer's address.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// The poll behind `accept`. Each call accepts one connection; the readiness stays set
    /// until `accept` says `WouldBlock`, so the next call tries again at once.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, peer) = match self.inner.poll_io(cx, Direction::Read, |l| l.accept()) {
            Poll::Ready(Ok(accepted)) => accepted,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        // mio's accept makes the new socket non-blocking and close-on-exec.
        let registered = Registered::new(stream, self.inner.reactor().clone());
        Poll::Ready(registered.map(|inner| (TcpStream { inner }, peer)))
    }

    /// The address this listener is bound to (with the port the kernel chose for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}
// ANCHOR_END: tcp_listener

/// A TCP connection, like `tokio::net::TcpStream`. It implements `futures::io::AsyncRead` and
/// `AsyncWrite`, and so does `&TcpStream`, so that one task can read and write at once.
pub struct TcpStream {
    inner: Registered<mio::net::TcpStream>,
}

impl TcpStream {
    // ANCHOR: connect
    /// Opens a connection to `addr`, trying each address it resolves to in turn; the last
    /// error if none accepts (`ConnectionRefused` when nothing listens).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
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
        // A non-blocking connect: the handshake has only begun.
        let stream = mio::net::TcpStream::connect(addr)?;
        let reactor = Handle::current().shared.reactor.clone();
        let stream = TcpStream {
            inner: Registered::new(stream, reactor)?,
        };
        // mio's recipe: when the socket turns writable, `SO_ERROR` says how the handshake
        // ended; if there is none, `peer_addr` says whether it has ended at all.
        poll_fn(|cx| stream.inner.poll_io(cx, Direction::Write, handshake_done)).await?;
        Ok(stream)
    }
    // ANCHOR_END: connect

    /// Registers a connected `std` stream with the current runtime, and makes it non-blocking.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        let reactor = Handle::current().shared.reactor.clone();
        Ok(TcpStream {
            inner: Registered::new(mio::net::TcpStream::from_std(stream), reactor)?,
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
    /// Reads into `buf` and returns how many bytes came; `Ok(0)` is end of file.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read_priv(cx, buf)).await
    }

    fn poll_read_priv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        // `&mio::net::TcpStream` implements `Read`: the socket is read through a shared
        // reference, so a reader and a writer can hold the stream at once.
        self.inner
            .poll_io(cx, Direction::Read, |mut stream| stream.read(buf))
    }
    // ANCHOR_END: read

    /// Writes some of `buf` and returns how much.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write_priv(cx, buf)).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    fn poll_write_priv(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner
            .poll_io(cx, Direction::Write, |mut stream| stream.write(buf))
    }
}

/// Whether a non-blocking connect has finished: `Ok` when connected, its error when it
/// failed, `WouldBlock` while the handshake goes on.
fn handshake_done(stream: &mio::net::TcpStream) -> io::Result<()> {
    if let Some(error) = stream.take_error()? {
        return Err(error);
    }
    match stream.peer_addr() {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotConnected => {
            Err(io::ErrorKind::WouldBlock.into())
        }
        Err(error) => Err(error),
    }
}

impl AsyncRead for &TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for &TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // nothing is buffered here
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}

// ANCHOR: udp
/// A UDP socket, like `tokio::net::UdpSocket`: datagrams to and from any address.
pub struct UdpSocket {
    inner: Registered<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (host names resolve with `std`, blocking, as for `TcpListener::bind`).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match mio::net::UdpSocket::bind(addr) {
                Ok(socket) => {
                    let reactor = Handle::current().shared.reactor.clone();
                    let inner = Registered::new(socket, reactor)?;
                    return Ok(UdpSocket { inner });
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no address to bind to")
        }))
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
