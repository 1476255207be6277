using NSubstitute;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.AuthenticateApiKey;
using Runtype.Domain.ApiKeys;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.ApiKeys;

public sealed class AuthenticateApiKeyHandlerTests
{
    private readonly IApiKeyRepository _keys = Substitute.For<IApiKeyRepository>();
    private readonly IApiKeyUseRecorder _uses = Substitute.For<IApiKeyUseRecorder>();
    private readonly AuthenticateApiKeyHandler _handler;

    public AuthenticateApiKeyHandlerTests()
    {
        _handler = new AuthenticateApiKeyHandler(_keys, _uses, Clock());
    }

    [Fact]
    public async Task A_valid_key_gives_its_owner_and_scopes()
    {
        var (key, plainText) = Stored(IssueKey());

        var identity = await _handler.Handle(new AuthenticateApiKey(plainText), Ct);

        Assert.NotNull(identity);
        Assert.Equal(key.Id, identity.KeyId);
        Assert.Equal(Owner.UserId, identity.UserId);
        Assert.Equal(Owner.OrganizationId, identity.OrganizationId);
        Assert.Equal(["sessions:read", "sessions:write"], identity.Scopes);
        _ = _keys.Received(1).GetAsync(key.Id, Ct);
    }

    [Fact]
    public async Task The_first_use_is_recorded()
    {
        var (key, plainText) = Stored(IssueKey());

        await _handler.Handle(new AuthenticateApiKey(plainText), Ct);

        _uses.Received(1).Record(key.Id, Ms(Now)); // stored in the background: the call itself writes nothing
        _ = _keys.DidNotReceive().RecordUseAsync(Arg.Any<string>(), Arg.Any<DateTime>(), Arg.Any<CancellationToken>());
        _ = _keys.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
        _ = _keys.DidNotReceive().FindAsync(Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(59)]
    public async Task A_use_within_a_minute_of_the_last_one_is_not_recorded(int secondsAgo)
    {
        var (key, plainText) = Stored(IssueKey());
        SetLastUsedAt(key, Ms(Now.AddSeconds(-secondsAgo)));

        var identity = await _handler.Handle(new AuthenticateApiKey(plainText), Ct);

        Assert.NotNull(identity);
        _uses.DidNotReceive().Record(Arg.Any<string>(), Arg.Any<DateTime>());
    }

    [Theory]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(86_400)]
    public async Task A_use_a_minute_or_more_after_the_last_one_is_recorded(int secondsAgo)
    {
        var (key, plainText) = Stored(IssueKey());
        SetLastUsedAt(key, Ms(Now.AddSeconds(-secondsAgo)));

        await _handler.Handle(new AuthenticateApiKey(plainText), Ct);

        _uses.Received(1).Record(key.Id, Ms(Now));
        _ = _keys.DidNotReceive().RecordUseAsync(Arg.Any<string>(), Arg.Any<DateTime>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unknown_key_id_is_no_identity()
    {
        var (_, plainText) = IssueKey();

        Assert.Null(await _handler.Handle(new AuthenticateApiKey(plainText), Ct));
        _uses.DidNotReceive().Record(Arg.Any<string>(), Arg.Any<DateTime>());
    }

    [Fact]
    public async Task A_wrong_secret_for_a_known_id_is_no_identity()
    {
        var (_, plainText) = Stored(IssueKey());
        var wrong = plainText[..^1] + (plainText[^1] == 'A' ? 'B' : 'A');

        Assert.Null(await _handler.Handle(new AuthenticateApiKey(wrong), Ct));
        _uses.DidNotReceive().Record(Arg.Any<string>(), Arg.Any<DateTime>());
    }

    [Fact]
    public async Task A_revoked_key_is_no_identity()
    {
        var (key, plainText) = Stored(IssueKey());
        key.Revoke(Now.AddMinutes(-1));

        Assert.Null(await _handler.Handle(new AuthenticateApiKey(plainText), Ct));
        _uses.DidNotReceive().Record(Arg.Any<string>(), Arg.Any<DateTime>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-key")]
    [InlineData("rt_0123456789ABCDEF_secret")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln")]
    public async Task Text_that_cannot_be_a_key_is_no_identity_without_a_lookup(string presented)
    {
        Assert.Null(await _handler.Handle(new AuthenticateApiKey(presented), Ct));

        _ = _keys.DidNotReceive().GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    private (ApiKey Key, string PlainText) Stored((ApiKey Key, string PlainText) issued)
    {
        _keys.GetAsync(issued.Key.Id, Arg.Any<CancellationToken>()).Returns(issued.Key);
        return issued;
    }
}
