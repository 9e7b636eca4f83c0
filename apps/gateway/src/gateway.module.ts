import { Module } from '@nestjs/common';
import { AuthModule } from '@kapok/auth';
import { CommonModule } from '@kapok/common';
import { KapokConfigModule } from '@kapok/config';
import { ContactsModule } from '@kapok/contacts';
import { DatabaseModule } from '@kapok/database';
import { DemoModule } from '@kapok/demo';
import { OrgModule } from '@kapok/org';
import { PresenceModule } from '@kapok/presence';
import { QueueModule } from '@kapok/queue';
import { RealtimeModule } from '@kapok/realtime';
import { RoutingModule } from '@kapok/routing';
import { ShiftsModule } from '@kapok/shifts';
import { AuthController } from './http/auth.controller';
import { ContactsController } from './http/contacts.controller';
import { HealthController } from './http/health.controller';
import { OrgController } from './http/org.controller';
import { ShiftsController } from './http/shifts.controller';
import { StationSettingsController } from './http/station-settings.controller';
import { AgentGateway } from './sockets/agent.gateway';
import { GatewayInstance } from './sockets/gateway-instance';

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
    ShiftsModule,
    DemoModule,
  ],
  controllers: [AuthController, OrgController, ContactsController, HealthController, ShiftsController, StationSettingsController],
  providers: [AgentGateway, GatewayInstance],
})
export class GatewayModule {}
