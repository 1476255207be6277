using FluentValidation;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.CreateSession;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Common;

public sealed class ValidationBehaviorTests
{
    private static readonly CreateSession Command = new(Owner, "2024-06", null, null);

    private static readonly SessionDto Answer = new(
        Guid.CreateVersion7(), "user_owner", null, "intake", null, null, null, null, null, null, null, Ms(Now), Ms(Now), Ms(Now));

    private int _nextCalls;

    [Fact]
    public async Task Without_validators_the_handler_runs()
    {
        var behavior = new ValidationBehavior<CreateSession, SessionDto>([]);

        var result = await behavior.Handle(Command, Next, Ct);

        Assert.Same(Answer, result);
        Assert.Equal(1, _nextCalls);
    }

    [Fact]
    public async Task When_every_validator_passes_the_handler_runs_once()
    {
        var behavior = new ValidationBehavior<CreateSession, SessionDto>([Passing(), Passing(), new CreateSessionValidator()]);

        var result = await behavior.Handle(Command, Next, Ct);

        Assert.Same(Answer, result);
        Assert.Equal(1, _nextCalls);
    }

    [Fact]
    public async Task A_failure_throws_a_ValidationException_and_the_handler_never_runs()
    {
        var behavior = new ValidationBehavior<CreateSession, SessionDto>([Passing(), Failing("catalogVersion", "too long")]);

        var error = await Assert.ThrowsAsync<ValidationException>(async () => await behavior.Handle(Command, Next, Ct));

        var failure = Assert.Single(error.Errors);
        Assert.Equal("catalogVersion", failure.PropertyName);
        Assert.Equal("too long", failure.ErrorMessage);
        Assert.Equal(0, _nextCalls);
    }

    [Fact]
    public async Task The_failures_of_every_validator_are_reported_together()
    {
        var behavior = new ValidationBehavior<CreateSession, SessionDto>([Failing("catalogVersion", "a"), Failing("schemaVersion", "b")]);

        var error = await Assert.ThrowsAsync<ValidationException>(async () => await behavior.Handle(Command, Next, Ct));

        Assert.Equal(["catalogVersion", "schemaVersion"], error.Errors.Select(e => e.PropertyName));
        Assert.Equal(0, _nextCalls);
    }

    [Fact]
    public async Task A_real_validator_stops_an_invalid_command()
    {
        var behavior = new ValidationBehavior<CreateSession, SessionDto>([new CreateSessionValidator()]);

        var error = await Assert.ThrowsAsync<ValidationException>(async () =>
            await behavior.Handle(Command with { SchemaVersion = new string('v', 65) }, Next, Ct));

        Assert.Equal("schemaVersion", Assert.Single(error.Errors).PropertyName);
        Assert.Equal(0, _nextCalls);
    }

    private static InlineValidator<CreateSession> Passing() => new() { v => v.RuleFor(c => c.CatalogVersion).NotEmpty() };

    private static InlineValidator<CreateSession> Failing(string property, string message) =>
        new() { v => v.RuleFor(c => c.CatalogVersion).Must(_ => false).WithMessage(message).OverridePropertyName(property) };

    private ValueTask<SessionDto> Next(CreateSession message, CancellationToken cancellationToken)
    {
        Assert.Same(Command.Caller, message.Caller);
        _nextCalls++;
        return new ValueTask<SessionDto>(Answer);
    }
}
