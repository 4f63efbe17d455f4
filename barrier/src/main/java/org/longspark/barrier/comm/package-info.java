/**
 * Collective communication among ranks: the {@link org.longspark.barrier.comm.Communicator}
 * interface, its TCP implementation over Java NIO ({@link
 * org.longspark.barrier.comm.TcpCommunicator}) and the rendezvous that bootstraps it.
 */
package org.longspark.barrier.comm;
