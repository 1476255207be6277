using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.CreateSession;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Common;

public sealed class TransactionBehaviorTests : IDisposable
{
    private static readonly CreateSession Command = new(Owner, null, null, null);

    private readonly IUnitOfWork _unitOfWork = Substitute.For<IUnitOfWork>();
    private readonly CancellationTokenSource _transaction = new();
    private readonly MetricsRecorder _recorder = new();
    private readonly PendingMeasurements _measurements;
    private readonly List<CancellationToken> _nextTokens = [];
    private int _nextCalls;

    public TransactionBehaviorTests() => _measurements = new PendingMeasurements(_recorder.Metrics);

    public void Dispose()
    {
        _transaction.Dispose();
        _recorder.Dispose();
    }

    [Fact]
    public async Task The_handler_runs_inside_the_unit_of_work_with_its_token()
    {
        _unitOfWork.InTransactionAsync(Arg.Any<Func<CancellationToken, Task<SessionDto>>>(), Arg.Any<CancellationToken>())
            .Returns(call => call.Arg<Func<CancellationToken, Task<SessionDto>>>()(_transaction.Token));

        var result = await Behavior.Handle(Command, Next, Ct);

        Assert.Equal(1, _nextCalls);
        Assert.Equal("answer 1", result.CatalogVersion);
        Assert.Equal([_transaction.Token], _nextTokens);
        _ = _unitOfWork.Received(1).InTransactionAsync(Arg.Any<Func<CancellationToken, Task<SessionDto>>>(), Ct);
    }

    [Fact]
    public async Task The_handler_does_not_run_outside_the_unit_of_work()
    {
        var fromUnitOfWork = Dto("from the unit of work");
        _unitOfWork.InTransactionAsync(Arg.Any<Func<CancellationToken, Task<SessionDto>>>(), Arg.Any<CancellationToken>())
            .Returns(fromUnitOfWork);

        var result = await Behavior.Handle(Command, Next, Ct);

        Assert.Same(fromUnitOfWork, result);
        Assert.Equal(0, _nextCalls);
    }

    [Fact]
    public async Task A_retrying_unit_of_work_runs_the_handler_again_and_returns_the_last_answer()
    {
        _unitOfWork.InTransactionAsync(Arg.Any<Func<CancellationToken, Task<SessionDto>>>(), Arg.Any<CancellationToken>())
            .Returns(async call =>
            {
                var work = call.Arg<Func<CancellationToken, Task<SessionDto>>>();
                await work(_transaction.Token);
                return await work(_transaction.Token);
            });

        var result = await Behavior.Handle(Command, Next, Ct);

        Assert.Equal(2, _nextCalls);
        Assert.Equal("answer 2", result.CatalogVersion);
        Assert.Equal(1, _recorder.Sum("runtype.sessions.created")); // the attempt that committed, not both
    }

    [Fact]
    public async Task Measurements_are_recorded_once_the_unit_of_work_has_committed_and_never_for_a_failed_one()
    {
        _unitOfWork.InTransactionAsync(Arg.Any<Func<CancellationToken, Task<SessionDto>>>(), Arg.Any<CancellationToken>())
            .Returns(
                async call =>
                {
                    var answer = await call.Arg<Func<CancellationToken, Task<SessionDto>>>()(_transaction.Token);
                    Assert.Equal(0, _recorder.Sum("runtype.sessions.created")); // not before the commit
                    return answer;
                },
                RollsBackAfterTheWork);

        await Behavior.Handle(Command, Next, Ct);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await Behavior.Handle(Command, Next, Ct));

        Assert.Equal(2, _nextCalls);
        Assert.Equal(1, _recorder.Sum("runtype.sessions.created"));

        async Task<SessionDto> RollsBackAfterTheWork(NSubstitute.Core.CallInfo call)
        {
            await call.Arg<Func<CancellationToken, Task<SessionDto>>>()(_transaction.Token);
            throw new ConcurrencyConflictException();
        }
    }

    [Fact]
    public async Task A_failure_inside_the_unit_of_work_propagates()
    {
        _unitOfWork.InTransactionAsync(Arg.Any<Func<CancellationToken, Task<SessionDto>>>(), Arg.Any<CancellationToken>())
            .Returns(Task.FromException<SessionDto>(new ConcurrencyConflictException()));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await Behavior.Handle(Command, Next, Ct));
    }

    private TransactionBehavior<CreateSession, SessionDto> Behavior => new(_unitOfWork, _measurements);

    private static SessionDto Dto(string marker) =>
        new(Guid.Empty, "user_owner", null, "intake", marker, null, null, null, null, null, null, Ms(Now), Ms(Now), Ms(Now));

    private ValueTask<SessionDto> Next(CreateSession message, CancellationToken cancellationToken)
    {
        Assert.Same(Command, message);
        _nextCalls++;
        _nextTokens.Add(cancellationToken);
        _measurements.OnCommit(m => m.SessionCreated());
        return new ValueTask<SessionDto>(Dto($"answer {_nextCalls}"));
    }
}
