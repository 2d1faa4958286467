package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.Sender;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;

/** Stub, replaced by the real implementation. */
public abstract class AbstractChannel<T> implements Channel<T> {
  @Override
  public void send(T item) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean trySend(T item) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean trySend(T item, Duration timeout) {
    throw new UnsupportedOperationException();
  }

  @Override
  public T receive() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<T> tryReceive() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<T> tryReceive(Duration timeout) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean close() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean close(Throwable cause) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<T> cancel(Throwable cause) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isClosedForSend() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isClosedForReceive() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int size() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int capacity() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Sender<T> openSender() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Stream<T> stream() {
    throw new UnsupportedOperationException();
  }

  @Override
  public BlockingQueue<T> asBlockingQueue() {
    throw new UnsupportedOperationException();
  }
}
