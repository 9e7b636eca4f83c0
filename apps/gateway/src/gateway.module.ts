import { Module } from '@nestjs/common';
import { AdminModule } from '@kapok/admin';
import { AlertsModule } from '@kapok/alerts';
import { AuthModule } from '@kapok/auth';
import { CommonModule } from '@kapok/common';
import { KapokConfigModule } from '@kapok/config';
import { MetricsModule } from '@kapok/metrics';
import { ContactsModule } from '@kapok/contacts';
import { ConversationsModule } from '@kapok/conversations';
import { DatabaseModule } from '@kapok/database';
import { DemoModule } from '@kapok/demo';
import { OrgModule } from '@kapok/org';
import { PresenceModule } from '@kapok/presence';
import { QueueModule } from '@kapok/queue';
import { RealtimeModule } from '@kapok/realtime';
import { RecordsModule } from '@kapok/records';
import { RoutingModule } from '@kapok/routing';
import { ShiftsModule } from '@kapok/shifts';
import { StatsModule } from '@kapok/stats';
import { ThrottleModule } from '@kapok/throttle';
import { WechatModule } from '@kapok/wechat';
import { AdminAuditController } from './http/admin-audit.controller';
import { AdminHotlinesController } from './http/admin-hotlines.controller';
import { AdminKeysController } from './http/admin-keys.controller';
import { AdminOrgController } from './http/admin-org.controller';
import { AdminUsersController } from './http/admin-users.controller';
import { AidController } from './http/aid.controller';
import { AlertsController } from './http/alerts.controller';
import { AuditController } from './http/audit.controller';
import { AuthController } from './http/auth.controller';
import { ContactsController } from './http/contacts.controller';
import { ConversationsController } from './http/conversations.controller';
import { HealthController } from './http/health.controller';
import { FollowUpsController } from './http/follow-ups.controller';
import { OrgController } from './http/org.controller';
import { RecordsController } from './http/records.controller';
import { ShiftsController } from './http/shifts.controller';
import { StationSettingsController } from './http/station-settings.controller';
import { DutyController } from './http/duty.controller';
import { StatsController } from './http/stats.controller';
import { WechatController } from './http/wechat.controller';
import { AgentGateway } from './sockets/agent.gateway';
import { ChatGateway } from './sockets/chat.gateway';
import { GatewayInstance } from './sockets/gateway-instance';
import { MonitorGateway } from './sockets/monitor.gateway';
import { OperationsModule } from './operations/operations.module';
import { SocketSubscription } from './sockets/socket-subscription';
import { GatewayDrain } from './shutdown/gateway-drain';

/** The HTTP + socket process: REST API, operator sockets. Thin: controllers and gateways call use-cases. */
@Module({
  imports: [
    KapokConfigModule,
    CommonModule,
    DatabaseModule,
    QueueModule,
    RealtimeModule,
    AuthModule,
    OrgModule,
    PresenceModule,
    ContactsModule,
    RoutingModule,
    RecordsModule,
    ShiftsModule,
    StatsModule,
    DemoModule,
    ThrottleModule,
    AdminModule,
    MetricsModule,
    OperationsModule,
    ConversationsModule,
    WechatModule,
    AlertsModule,
  ],
  controllers: [
    AuthController,
    OrgController,
    ContactsController,
    HealthController,
    ShiftsController,
    StationSettingsController,
    DutyController,
    RecordsController,
    AidController,
    FollowUpsController,
    AuditController,
    StatsController,
    AdminUsersController,
    AdminOrgController,
    AdminHotlinesController,
    AdminKeysController,
    AdminAuditController,
    WechatController,
    ConversationsController,
    AlertsController,
  ],
  providers: [GatewayDrain, AgentGateway, GatewayInstance, MonitorGateway, ChatGateway, SocketSubscription],
})
export class GatewayModule {}
