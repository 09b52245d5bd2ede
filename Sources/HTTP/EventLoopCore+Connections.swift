import Glibc

/// Socket events and state-machine actions for the connections of one loop.
extension EventLoopCore {
    func handle(events: UInt32, on connection: Connection, now: MonotonicInstant) {
        // Level-triggered epoll reports EPOLLERR and EPOLLHUP even without interest; both mean no more exchange.
        if events & (Epoll.error | Epoll.hangUp) != 0 {
            close(connection)
            return
        }
        if events & Epoll.output != 0 && connection.hasOutput {
            perform(writeOutput(of: connection, now: now), on: connection, now: now)
        }
        if !connection.isClosed && events & Epoll.input != 0 && connection.machine.isReadingEnabled {
            readInput(of: connection, now: now)
        }
        refresh(connection, now: now)
    }

    /// Reads once per readiness, at most one buffer, so that one busy client cannot starve the others on this loop.
    private func readInput(of connection: Connection, now: MonotonicInstant) {
        switch connection.read(into: &readBuffer) {
        case .received(let count):
            perform(connection.machine.bytesReceived(readBuffer[..<count], now: now), on: connection, now: now)
        case .endOfInput:
            perform(connection.machine.endOfInput(now: now), on: connection, now: now)
        case .wouldBlock:
            break
        case .failed(let error):
            log(.debug, "Read failed; closing the connection", [
                "connection.peer": connection.peer.description, "error": error.description,
            ])
            close(connection)
        }
    }

    /// Carries out the machine's actions, then writes what they queued and feeds the outcome back to the machine.
    ///
    /// A response the responder makes while its `handle` runs is fed to the machine at once. The actions that
    /// follow from it run in the next round, after the rest of this round's actions, which keeps the machine's
    /// order. Output is written once the rounds queue nothing more, so a request and its response cost one send.
    func perform(_ actions: [ConnectionStateMachine.Action], on connection: Connection, now: MonotonicInstant) {
        var actions = actions
        var hasUnwrittenOutput = false
        while !actions.isEmpty {
            var followingActions: [ConnectionStateMachine.Action] = []
            for action in actions {
                switch action {
                case .dispatch(let request, let sequence):
                    if let response = dispatch(request, sequence: sequence, on: connection) {
                        followingActions += connection.machine.responseReady(response, sequence: sequence, now: now)
                    }
                case .sendContinue:
                    connection.enqueue(ResponseEncoder.continueBytes)
                    hasUnwrittenOutput = true
                case .send(let response, let responseContext):
                    let encoded = encode(response, context: responseContext, peer: connection.peer)
                    connection.enqueue(encoded.head)
                    connection.enqueue(encoded.body)
                    hasUnwrittenOutput = true
                case .shutdownOutput:
                    do throws(SystemCallError) {
                        try connection.shutdownOutput()
                    } catch {
                        close(connection)
                        return
                    }
                case .close:
                    close(connection)
                    return
                }
            }
            if !followingActions.isEmpty {
                actions = followingActions
            } else if hasUnwrittenOutput {
                hasUnwrittenOutput = false
                actions = writeOutput(of: connection, now: now)
            } else {
                actions = []
            }
        }
    }

    private func writeOutput(of connection: Connection, now: MonotonicInstant) -> [ConnectionStateMachine.Action] {
        switch connection.flush() {
        case .drained:
            return connection.machine.writeCompleted(now: now)
        case .blocked(let madeProgress):
            connection.machine.writeBlocked(madeProgress: madeProgress, now: now)
            return []
        case .failed(let error):
            log(.debug, "Write failed; closing the connection", [
                "connection.peer": connection.peer.description, "error": error.description,
            ])
            return [.close]
        }
    }

    /// Hands the request to the responder and returns the response it made before returning, if any.
    private func dispatch(_ request: HTTPRequest, sequence: UInt64, on connection: Connection) -> HTTPResponse? {
        let handoff = ResponseHandoff(loop: loop, sequence: sequence, connectionID: connection.id)
        context.responder.handle(request) { response in
            handoff.respond(response)
        }
        return handoff.finishHandling()
    }

    /// Encodes a response, replacing one the encoder rejects with a 500 problem so the client still gets a response.
    private func encode(
        _ response: HTTPResponse,
        context responseContext: ResponseContext,
        peer: SocketAddress
    ) -> EncodedResponse {
        let date = dates.current()
        do throws(InvalidResponseError) {
            return try ResponseEncoder.encode(response, context: responseContext, date: date)
        } catch {
            log(.error, "Responder returned an invalid response; sending 500 instead", [
                "connection.peer": peer.description, "error": error.description,
            ])
        }

        let problem = ProblemDocument(slug: "internal-error", status: 500, detail: "The server built an invalid response.")
        do throws(InvalidResponseError) {
            return try ResponseEncoder.encode(problem.makeResponse(), context: responseContext, date: date)
        } catch {
            preconditionFailure("the built-in 500 problem response is invalid: \(error)")
        }
    }

    /// Matches the epoll registration to what the machine wants and queues its next deadline.
    func refresh(_ connection: Connection, now: MonotonicInstant) {
        guard !connection.isClosed else { return }
        var wanted: UInt32 = 0
        if connection.machine.isReadingEnabled {
            wanted |= Epoll.input
        }
        if connection.hasOutput {
            wanted |= Epoll.output
        }
        if wanted != connection.registeredEvents {
            do throws(SystemCallError) {
                try Epoll.control(
                    epfd: loop.epoll.rawValue, op: Epoll.modify, fd: connection.descriptor,
                    events: wanted, data: connection.id
                )
                connection.registeredEvents = wanted
            } catch {
                log(.warning, "Could not update a connection's epoll registration; closing it", [
                    "connection.peer": connection.peer.description, "error": error.description,
                ])
                close(connection)
                return
            }
        }
        scheduleDeadline(of: connection)
    }

    func close(_ connection: Connection) {
        guard !connection.isClosed else { return }
        connections.removeValue(forKey: connection.id)
        connection.close()
        context.releaseConnectionSlot()
    }
}
